package org.patientplatform.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.bench.Infrastructure.Database;

/**
 * Where the CPU of a measured phase went: this JVM (bench, in-process broker, in-process service) and
 * the PostgreSQL backends serving one database, read from {@code /proc/<pid>/stat} when the server runs
 * on this machine. It tells what bounds a ratio far from 1 without a profiler.
 */
final class CpuMeter {

	/** Linux's USER_HZ: {@code /proc} counts CPU time in hundredths of a second. */
	private static final long NANOS_PER_TICK = 10_000_000L;

	private final Database db;

	private final long jvmStart;

	private final Map<Integer, Long> backendsStart;

	private final Map<Long, Long> threadsStart;

	private CpuMeter(Database db) {
		this.db = db;
		this.jvmStart = jvmCpuNanos();
		this.threadsStart = threadCpuNanos().entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().nanos()));
		this.backendsStart = backendTicks(db);
	}

	static CpuMeter start(Database db) {
		return new CpuMeter(db);
	}

	/** The CPU used since the start, read before the connections it watches close. */
	Usage stop() {
		long jvm = jvmCpuNanos() - this.jvmStart;
		Map<String, Long> threads = new TreeMap<>();
		long javaThreads = 0;
		for (Map.Entry<Long, ThreadCpu> thread : threadCpuNanos().entrySet()) {
			long used = thread.getValue().nanos() - this.threadsStart.getOrDefault(thread.getKey(), 0L);
			threads.merge(thread.getValue().group(), used, Long::sum);
			javaThreads += used;
		}
		// the JVM's own threads (garbage collection, the JIT compilers) are not Java threads
		threads.put("vm", Math.max(0, jvm - javaThreads));
		Map<Integer, Long> now = backendTicks(this.db);
		if (now.isEmpty()) {
			return new Usage(jvm, -1, threads);
		}
		long ticks = 0;
		for (Map.Entry<Integer, Long> backend : now.entrySet()) {
			ticks += backend.getValue() - this.backendsStart.getOrDefault(backend.getKey(), 0L);
		}
		return new Usage(jvm, ticks * NANOS_PER_TICK, threads);
	}

	/**
	 * The CPU time of each live Java thread, with the group it counts in: the DLQ capture's consumers, the
	 * in-process broker's request handlers and network threads, the rest of this JVM.
	 */
	private static Map<Long, ThreadCpu> threadCpuNanos() {
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		Map<Long, ThreadCpu> threads = new HashMap<>();
		if (!mx.isThreadCpuTimeSupported()) {
			return threads;
		}
		for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
			if (info == null) {
				continue;
			}
			long nanos = mx.getThreadCpuTime(info.getThreadId());
			if (nanos >= 0) {
				threads.put(info.getThreadId(), new ThreadCpu(group(info.getThreadName()), nanos));
			}
		}
		return threads;
	}

	private static String group(String thread) {
		if (thread.startsWith("dlq-capture")) {
			return "captureConsumers";
		}
		if (thread.startsWith("data-plane-kafka")) {
			return "brokerRequests";
		}
		return "otherJava";
	}

	private record ThreadCpu(String group, long nanos) {
	}

	static long jvmCpuNanos() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return 0;
	}

	/** CPU ticks of each backend connected to the database, but this query's own. */
	private static Map<Integer, Long> backendTicks(Database db) {
		Map<Integer, Long> ticks = new HashMap<>();
		try (Connection connection = db.connect();
				PreparedStatement query = connection.prepareStatement(
						"SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
			query.setString(1, db.name());
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					Long used = ticks(rs.getInt(1));
					if (used != null) {
						ticks.put(rs.getInt(1), used);
					}
				}
			}
		}
		catch (SQLException ex) {
			return Map.of();
		}
		return ticks;
	}

	/** utime + stime of a process, or null where it is not visible (a remote server). */
	private static @Nullable Long ticks(int pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			// fields after the command name, which is in parentheses and may hold spaces
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * CPU used by a phase.
	 *
	 * @param jvmNanos this JVM's CPU time
	 * @param postgresNanos the database's backends' CPU time, or -1 where it is not visible
	 * @param jvmThreadNanos this JVM's CPU time by group of threads ({@code vm}: garbage collection and the
	 * JIT compilers)
	 */
	record Usage(long jvmNanos, long postgresNanos, Map<String, Long> jvmThreadNanos) {

		static final Usage NONE = new Usage(0, 0, Map.of());

		Usage plus(Usage other) {
			Map<String, Long> threads = new TreeMap<>(this.jvmThreadNanos);
			other.jvmThreadNanos.forEach((group, nanos) -> threads.merge(group, nanos, Long::sum));
			return new Usage(this.jvmNanos + other.jvmNanos,
					(this.postgresNanos < 0 || other.postgresNanos < 0) ? -1 : this.postgresNanos + other.postgresNanos,
					threads);
		}

		/** Microseconds of CPU per unit of work, e.g. {@code jvmCpuMicrosPerJob}. */
		Map<String, Number> perUnit(long units, String unit) {
			Map<String, Number> usage = new LinkedHashMap<>();
			usage.put("jvmCpuMicrosPer" + unit, Result.round(this.jvmNanos / 1000.0 / units));
			if (this.postgresNanos >= 0) {
				usage.put("postgresCpuMicrosPer" + unit, Result.round(this.postgresNanos / 1000.0 / units));
			}
			this.jvmThreadNanos.forEach((group, nanos) -> usage.put("jvm" + Character.toUpperCase(group.charAt(0))
					+ group.substring(1) + "CpuMicrosPer" + unit, Result.round(nanos / 1000.0 / units)));
			return usage;
		}

	}

}
