package org.patientplatform.patient.lis;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a message says, to tell a redelivery from another message under a control id used before: SHA-256 of the
 * record's bytes but MSH-7, its first 16 bytes in hex. The same message delivered again, or sent again by its LIS
 * with a new MSH-7 (an interface engine that stamps each sending), digests the same; another message under a
 * control id the LIS counts again from 1 (after a restart) does not, and is applied instead of lost as a
 * duplicate.
 */
final class LisDigest {

	private LisDigest() {
	}

	static String of(byte[] record) {
		int[] msh7 = msh7(record);
		MessageDigest sha256 = sha256();
		sha256.update(record, 0, msh7[0]);
		sha256.update(record, msh7[1], record.length - msh7[1]);
		return HexFormat.of().formatHex(sha256.digest(), 0, 16);
	}

	/** Where MSH-7 lies, {start, end}; {length, length} when the record has no MSH segment to read it in. */
	static int[] msh7(byte[] record) {
		int msh = indexOf(record, new byte[] { 'M', 'S', 'H' });
		if (msh < 0 || msh + 3 >= record.length) {
			return new int[] { record.length, record.length };
		}
		byte separator = record[msh + 3];
		int field = 1;
		int start = -1;
		// the separator right after MSH is MSH-1; each one after it starts the next field
		int i = msh + 3;
		for (; i < record.length && record[i] != '\r' && record[i] != '\n'; i++) {
			if (record[i] == separator) {
				field++;
				if (field == 7) {
					start = i + 1;
				}
				else if (field == 8) {
					return new int[] { start, i };
				}
			}
		}
		return (start >= 0) ? new int[] { start, i } : new int[] { record.length, record.length };
	}

	private static int indexOf(byte[] bytes, byte[] part) {
		outer: for (int i = 0; i + part.length <= bytes.length; i++) {
			for (int j = 0; j < part.length; j++) {
				if (bytes[i + j] != part[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

}
