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

	/**
	 * Where MSH-7 lies, {start, end}; {length, length} when the record has no MSH segment to read it in. The MSH of a
	 * record in UTF-16 (the reader reads one whose MSH-18 says so) is found in two bytes a character, in either order.
	 */
	static int[] msh7(byte[] record) {
		int msh = indexOf(record, new byte[] { 'M', 'S', 'H' }, 1);
		if (msh >= 0) {
			return msh7(record, msh, 1, false);
		}
		// at an even offset (the text's first byte, or the byte order mark's): the other order's MSH is one byte off
		msh = indexOf(record, new byte[] { 'M', 0, 'S', 0, 'H', 0 }, 2);
		if (msh >= 0) {
			return msh7(record, msh, 2, false);
		}
		msh = indexOf(record, new byte[] { 0, 'M', 0, 'S', 0, 'H' }, 2);
		return (msh >= 0) ? msh7(record, msh, 2, true) : new int[] { record.length, record.length };
	}

	/** MSH-7 of the MSH at {@code msh}, read in characters of {@code width} bytes (2: UTF-16, in its byte order). */
	private static int[] msh7(byte[] record, int msh, int width, boolean bigEndian) {
		if (msh + 4 * width > record.length) {
			return new int[] { record.length, record.length };
		}
		int separator = character(record, msh + 3 * width, width, bigEndian);
		int field = 1;
		int start = -1;
		// the separator right after MSH is MSH-1; each one after it starts the next field
		int i = msh + 3 * width;
		for (; i + width <= record.length; i += width) {
			int c = character(record, i, width, bigEndian);
			if (c == '\r' || c == '\n') {
				break;
			}
			if (c == separator) {
				field++;
				if (field == 7) {
					start = i + width;
				}
				else if (field == 8) {
					return new int[] { start, i };
				}
			}
		}
		return (start >= 0) ? new int[] { start, i } : new int[] { record.length, record.length };
	}

	private static int character(byte[] record, int at, int width, boolean bigEndian) {
		if (width == 1) {
			return record[at] & 0xFF;
		}
		int first = record[at] & 0xFF;
		int second = record[at + 1] & 0xFF;
		return bigEndian ? (first << 8) | second : (second << 8) | first;
	}

	/** Where {@code part} is first, at an offset that is a multiple of {@code step}; -1 when it is not. */
	private static int indexOf(byte[] bytes, byte[] part, int step) {
		outer: for (int i = 0; i + part.length <= bytes.length; i += step) {
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
