package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;

/**
 * The messages of a LIS record that holds more than one: an HL7 batch (a file header {@code FHS}, batch headers
 * {@code BHS}, the messages, their trailers {@code BTS} and {@code FTS}), or messages one after another without
 * those segments, as a LIS writes a file of them. Each message is cut out as the bytes from its {@code MSH} to the
 * next segment that starts a message or a batch, or ends one, so the reader decodes each in its own MSH-18 as it
 * would a record of its own.
 *
 * <p>Segments are found in one byte a character (ASCII names at the start of the record or after a CR or LF); a
 * record in UTF-16 is left to the reader whole, which refuses more than one message in it, as before.
 */
final class Hl7Batch {

	/** MLLP's start block, and its end block (file separator): a record may keep its frame. */
	private static final byte START_BLOCK = 0x0b;

	private static final byte END_BLOCK = 0x1c;

	private Hl7Batch() {
	}

	/**
	 * The messages of a record that holds more than one, in order; null for a record that holds one (or none, or is
	 * no HL7 text): the reader reads it whole.
	 * @throws InvalidEventException (nothing of it applied) when a batch's trailer counts other than the messages
	 * the batch holds: a batch cut short, or two run together
	 */
	static @Nullable List<byte[]> messages(byte @Nullable [] record) {
		if (record == null || record.length == 0) {
			return null;
		}
		List<Segment> segments = headerSegments(record);
		long messages = segments.stream().filter((segment) -> segment.name().equals("MSH")).count();
		boolean batchSegments = segments.stream().anyMatch((segment) -> !segment.name().equals("MSH"));
		if (messages <= 1 && !batchSegments) {
			return null;
		}
		// what lies outside every message must be the envelope's own segments: any other would be lost unread
		if (!blank(record, firstByte(record), segments.getFirst().start())) {
			throw outsideMessages();
		}
		List<byte[]> cut = new ArrayList<>();
		int inBatch = 0;
		for (int i = 0; i < segments.size(); i++) {
			Segment segment = segments.get(i);
			int end = (i + 1 < segments.size()) ? segments.get(i + 1).start() : record.length;
			if (segment.name().equals("MSH")) {
				cut.add(Arrays.copyOfRange(record, segment.start(), withoutFrame(record, segment.start(), end)));
				inBatch++;
				continue;
			}
			if (!blank(record, lineEnd(record, segment.start(), end), end)) {
				throw outsideMessages();
			}
			if (segment.name().equals("BHS")) {
				inBatch = 0;
			}
			else if (segment.name().equals("BTS")) {
				Long counted = firstField(record, segment.start());
				if (counted != null && counted != inBatch) {
					throw new InvalidEventException("LIS record is an HL7 batch whose trailer (BTS-1) counts " + counted
							+ " messages where the batch holds " + inBatch
							+ "; nothing of it was applied (a batch cut short, or two run together)");
				}
				inBatch = 0;
			}
			// FHS, FTS: the file's own header and trailer
		}
		return cut;
	}

	private static InvalidEventException outsideMessages() {
		return new InvalidEventException("LIS record holds several HL7 messages and segments outside any of them (before "
				+ "its first MSH, or after a BTS or FTS); nothing of it was applied");
	}

	/** Where the text starts: after an MLLP start block and UTF-8's byte order mark, which some writers put first. */
	private static int firstByte(byte[] record) {
		int first = (record[0] == START_BLOCK) ? 1 : 0;
		if (record.length >= first + 3 && (record[first] & 0xff) == 0xef && (record[first + 1] & 0xff) == 0xbb
				&& (record[first + 2] & 0xff) == 0xbf) {
			first += 3;
		}
		return first;
	}

	/** Where the segment that starts at {@code start} ends (its CR or LF), at most {@code end}. */
	private static int lineEnd(byte[] record, int start, int end) {
		int at = start;
		while (at < end && record[at] != '\r' && record[at] != '\n') {
			at++;
		}
		return at;
	}

	/** True when the bytes between hold nothing but line ends, white space and MLLP frame bytes. */
	private static boolean blank(byte[] record, int from, int to) {
		for (int i = from; i < to; i++) {
			byte b = record[i];
			if (b != '\r' && b != '\n' && b != ' ' && b != '\t' && b != START_BLOCK && b != END_BLOCK) {
				return false;
			}
		}
		return true;
	}

	/** The segments that start or end a message, a batch or a file, in order. */
	private static List<Segment> headerSegments(byte[] record) {
		List<Segment> segments = new ArrayList<>();
		int first = firstByte(record);
		for (int i = first; i + 3 < record.length; i++) {
			// after a segment's end, or the start block of a frame of its own (frames one after another)
			boolean segmentStart = i == first || record[i - 1] == '\r' || record[i - 1] == '\n'
					|| record[i - 1] == START_BLOCK;
			if (!segmentStart) {
				continue;
			}
			String name = new String(record, i, 3, StandardCharsets.US_ASCII);
			if (name.equals("MSH") || name.equals("FHS") || name.equals("BHS") || name.equals("BTS")
					|| name.equals("FTS")) {
				segments.add(new Segment(name, i));
			}
		}
		return segments;
	}

	/**
	 * Where a message that runs to {@code end} ends without the MLLP frame bytes after it (an end block, the next
	 * frame's start block) and the line ends around them; its own last segment's CR goes too, which the reader
	 * does not need.
	 */
	private static int withoutFrame(byte[] record, int start, int end) {
		int at = end;
		while (at > start && (record[at - 1] == END_BLOCK || record[at - 1] == START_BLOCK || record[at - 1] == '\r'
				|| record[at - 1] == '\n')) {
			at--;
		}
		return at;
	}

	/**
	 * The first field of a trailer segment ({@code BTS|3}: the separator is the byte after its name) as a whole
	 * number; null when it is empty or no number (it is optional).
	 */
	private static @Nullable Long firstField(byte[] record, int segment) {
		int at = segment + 3;
		if (at >= record.length) {
			return null;
		}
		byte separator = record[at];
		StringBuilder digits = new StringBuilder();
		for (int i = at + 1; i < record.length; i++) {
			byte b = record[i];
			if (b == separator || b == '\r' || b == '\n' || b == '^') {
				break;
			}
			digits.append((char) (b & 0xff));
		}
		String text = digits.toString().trim();
		if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			return null;
		}
		return Long.valueOf(text);
	}

	private record Segment(String name, int start) {
	}

}
