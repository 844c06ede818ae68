package org.patientplatform.standins;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The SMS stand-in's messages and opt-outs in a file of JSON lines, so that they outlive the process, as
 * Twilio's do: after a restart (a crash included) the stand-in lists, and the notification service's
 * lookup finds, the messages it took before. Each change appends the message's whole state (the last line of
 * a message is what it is now) or an opt-out change; each line is written through to the file before the API
 * answers, so a process killed after answering has it. A last line cut short by a kill is skipped.
 */
final class SmsJournal implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(SmsJournal.class);

	private final Path file;

	private BufferedWriter out;

	private boolean closed;

	private SmsJournal(Path file, boolean cutShort) throws IOException {
		this.file = file;
		this.out = open(file, StandardOpenOption.APPEND);
		if (cutShort) {
			// the next line starts on its own, not glued to the cut one
			this.out.newLine();
			this.out.flush();
		}
	}

	/** Opens the journal at this path, made if missing, and reads what it holds. */
	static Loaded open(Path file) throws IOException {
		Path parent = file.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		// bytes a cut write left undecodable become U+FFFD in a line that is skipped, never an exception
		String content = Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
		Map<String, JsonNode> messages = new LinkedHashMap<>();
		Set<String> optedOut = new LinkedHashSet<>();
		int skipped = 0;
		for (String line : content.split("\n")) {
			if (line.isBlank()) {
				continue;
			}
			JsonNode entry;
			try {
				entry = Http.JSON.readTree(line);
			}
			catch (JacksonException ex) {
				skipped++;
				continue;
			}
			if (entry.has("optOut")) {
				String number = entry.path("optOut").asString();
				if (entry.path("out").asBoolean()) {
					optedOut.add(number);
				}
				else {
					optedOut.remove(number);
				}
			}
			else if (entry.hasNonNull("sid")) {
				// a message keeps its first place in the listing; its latest line is its state
				messages.put(entry.path("sid").asString(), entry);
			}
		}
		if (skipped > 0) {
			logger.warn("SMS stand-in skipped {} unreadable line(s) of {} (a write cut short)", skipped, file);
		}
		boolean cutShort = !content.isEmpty() && !content.endsWith("\n");
		return new Loaded(new SmsJournal(file, cutShort), new ArrayList<>(messages.values()), optedOut);
	}

	/** Appends a message's state. */
	synchronized void message(Map<String, @Nullable Object> state) {
		write(state);
	}

	/** Appends an opt-out (or opt-in) of a number. */
	synchronized void optOut(String number, boolean out) {
		write(Map.of("optOut", number, "out", out));
	}

	/** Forgets everything (the console's reset). */
	synchronized void clear() {
		try {
			this.out.close();
			this.out = open(this.file, StandardOpenOption.TRUNCATE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		try {
			this.out.close();
		}
		catch (IOException ex) {
			logger.warn("SMS stand-in could not close {}: {}", this.file, ex.toString());
		}
	}

	private void write(Map<String, ?> entry) {
		if (this.closed) {
			// a status the lifecycle reached as the stand-in stopped: lost, as a crash would lose it
			return;
		}
		try {
			this.out.write(Http.JSON.writeValueAsString(entry));
			this.out.newLine();
			// to the file, not to the disk: what a killed process wrote is there when it starts again
			this.out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static BufferedWriter open(Path file, StandardOpenOption mode) throws IOException {
		return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				mode);
	}

	/**
	 * The journal and what it held.
	 *
	 * @param journal the journal, open to append
	 * @param messages each message's latest state, in the order they were first taken
	 * @param optedOut the numbers opted out now
	 */
	record Loaded(SmsJournal journal, List<JsonNode> messages, Set<String> optedOut) {
	}

}
