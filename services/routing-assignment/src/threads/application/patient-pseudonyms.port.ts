/** Injection token of the PatientPseudonyms implementation. */
export const PATIENT_PSEUDONYMS = Symbol('PATIENT_PSEUDONYMS');

/** A patient as the analytics stream names them: a keyed hash, and which key made it. */
export interface PatientPseudonym {
  patientKey: string;
  patientKeyId: string;
}

/**
 * Turns a patient id into its pseudonym, keyed per practice: the same
 * patient gives the same key within a practice while the key is the same,
 * and nothing on the analytics stream leads back to the id.
 */
export interface PatientPseudonyms {
  of(practiceId: string, patientId: string): PatientPseudonym;
}
