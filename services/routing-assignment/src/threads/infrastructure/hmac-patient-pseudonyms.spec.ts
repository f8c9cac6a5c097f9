import { HmacPatientPseudonyms } from './hmac-patient-pseudonyms.js';

const k1 = new HmacPatientPseudonyms({ id: 'k1', secret: 'a'.repeat(32) });
const k2 = new HmacPatientPseudonyms({ id: 'k2', secret: 'b'.repeat(32) });

describe('HmacPatientPseudonyms', () => {
  it('gives one patient the same 32-hex key within a practice, and says which key made it', () => {
    const first = k1.of('prc_1', 'pat_ruth');
    expect(first).toEqual(k1.of('prc_1', 'pat_ruth'));
    expect(first.patientKey).toMatch(/^[0-9a-f]{32}$/);
    expect(first.patientKeyId).toBe('k1');
  });

  it('keys per practice: the same patient id in two practices gives two keys', () => {
    expect(k1.of('prc_1', 'pat_ruth').patientKey).not.toBe(k1.of('prc_2', 'pat_ruth').patientKey);
  });

  it('gives other patients other keys, and never contains the id', () => {
    const ruth = k1.of('prc_1', 'pat_ruth').patientKey;
    expect(ruth).not.toBe(k1.of('prc_1', 'pat_ruth2').patientKey);
    expect(ruth).not.toContain('ruth');
  });

  it('gives a new key after a rotation', () => {
    expect(k1.of('prc_1', 'pat_ruth').patientKey).not.toBe(k2.of('prc_1', 'pat_ruth').patientKey);
  });
});
