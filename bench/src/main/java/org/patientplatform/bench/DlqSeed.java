package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.patientplatform.bench.Infrastructure.Database;

/**
 * Realistic dead-letter entries for the search and API benchmarks, loaded by the very SQL of
 * {@code bin/dlq-seed} (read from that script, so the command-line seed and the benchmarks load the same
 * data): three source services on four topics, five statuses, five error classes, 50,000 record keys,
 * failure times over 30 days; a second load adds after the first. The payloads are random bytes under key id {@code seed}: searchable, not revealable.
 */
final class DlqSeed {

	private static final Pattern HEREDOC = Pattern.compile("<<'SQL'\\n(.*?)\\nSQL\\n", Pattern.DOTALL);

	/** psql's {@code :n}, not a cast ({@code ::jsonb}) */
	private static final Pattern COUNT = Pattern.compile("(?<![:\\w]):n(?!\\w)");

	private DlqSeed() {
	}

	/** The seed script: {@code bin/dlq-seed} from the repository root or from the bench module's folder. */
	static Path script() {
		for (Path candidate : List.of(Path.of("bin", "dlq-seed"), Path.of("..", "bin", "dlq-seed"))) {
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		throw new IllegalStateException("bin/dlq-seed not found from " + Path.of("").toAbsolutePath());
	}

	/** The script's SQL statements for {@code entries} entries, without psql's meta-commands. */
	static List<String> statements(long entries) {
		String script;
		try {
			script = Files.readString(script(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Matcher heredoc = HEREDOC.matcher(script);
		if (!heredoc.find()) {
			throw new IllegalStateException(script() + " has no <<'SQL' ... SQL block");
		}
		StringBuilder sql = new StringBuilder();
		for (String line : heredoc.group(1).split("\\n")) {
			if (!line.startsWith("\\")) {
				sql.append(line).append('\n');
			}
		}
		String text = COUNT.matcher(sql).replaceAll(Long.toString(entries));
		List<String> statements = new ArrayList<>();
		for (String statement : text.split(";\\s*\\n")) {
			if (!statement.isBlank()) {
				statements.add(statement.strip());
			}
		}
		return statements;
	}

	/**
	 * Loads {@code entries} entries into a database the DLQ service has migrated; returns the seconds it
	 * took.
	 */
	static double load(Database db, long entries) throws Exception {
		long started = System.nanoTime();
		try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
			for (String sql : statements(entries)) {
				statement.execute(sql);
			}
		}
		return (System.nanoTime() - started) / 1e9;
	}

}
