package org.patientplatform.bench;

import java.util.Map;

/**
 * A count over a time, summed over the rounds of a benchmark: the rate is the total count over the total
 * time, so a slow round weighs as much as it took. Where the CPU of the rounds was measured, it is summed
 * too.
 */
final class Throughput {

	private long count;

	private long nanos;

	private CpuMeter.Usage cpu = CpuMeter.Usage.NONE;

	void add(long count, RawPostgres.Timed timed) {
		add(count, timed.nanos(), timed.cpu());
	}

	void add(long count, long nanos, CpuMeter.Usage cpu) {
		this.count += count;
		this.nanos += nanos;
		this.cpu = this.cpu.plus(cpu);
	}

	/** Adds a measurement known only as a rate (Kafka's tools print rates). */
	void addRate(long count, double perSecond) {
		this.count += count;
		this.nanos += (long) (count / perSecond * 1_000_000_000.0);
	}

	double perSecond() {
		return (this.nanos > 0) ? this.count * 1_000_000_000.0 / this.nanos : 0.0;
	}

	/** CPU microseconds per unit of work, e.g. {@code jvmCpuMicrosPerJob}. */
	Map<String, Number> cpuPer(String unit) {
		return this.cpu.perUnit(Math.max(this.count, 1), unit);
	}

}
