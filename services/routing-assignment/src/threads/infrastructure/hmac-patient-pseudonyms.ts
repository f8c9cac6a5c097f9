import { createHmac } from 'node:crypto';
import type {
  PatientPseudonym,
  PatientPseudonyms,
} from '../application/patient-pseudonyms.port.js';

/** The key the pseudonyms are made with, and its id (a rotation is a new key under a new id). */
export interface PatientKey {
  id: string;
  secret: string;
}

const PRACTICE_LABEL = 'group-messages analytics patient key\n';

/**
 * HMAC-SHA256 twice: the practice's own key from the secret, then the
 * patient id under it; 128 bits of the result, in hex. Without the secret the
 * ids cannot be recovered or tested (the id space is small, so a plain hash
 * could be).
 */
export class HmacPatientPseudonyms implements PatientPseudonyms {
  constructor(private readonly key: PatientKey) {}

  of(practiceId: string, patientId: string): PatientPseudonym {
    const practiceKey = createHmac('sha256', this.key.secret)
      .update(PRACTICE_LABEL + practiceId)
      .digest();
    const patientKey = createHmac('sha256', practiceKey).update(patientId).digest('hex');
    return { patientKey: patientKey.slice(0, 32), patientKeyId: this.key.id };
  }
}
