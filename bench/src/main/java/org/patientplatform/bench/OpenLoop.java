package org.patientplatform.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;

/**
 * Open-loop load at a fixed request rate, corrected for coordinated omission: request {@code i} is due
 * at {@code start + i / rate} whatever happened to the ones before it, is sent asynchronously at that
 * time (a slow response never delays the next request), and its latency is counted from the time it was
 * <em>due</em>, not from when it went out. So a stall of the server, of the client or of the machine
 * shows in the latency of every request that should have gone during it, as a user would see it.
 */
final class OpenLoop {

	private static final Duration TIMEOUT = Duration.ofMinutes(2);

	private OpenLoop() {
	}

	/**
	 * Sends {@code count} requests at {@code ratePerSecond}; {@code requests} makes the i-th one.
	 * @return latencies from the intended start, and what was answered
	 */
	static Outcome run(HttpClient client, LongFunction<HttpRequest> requests, int ratePerSecond, long count)
			throws InterruptedException {
		Histogram latencies = Latencies.histogram();
		Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
		AtomicLong failures = new AtomicLong();
		CountDownLatch done = new CountDownLatch((int) count);
		long interval = 1_000_000_000L / ratePerSecond;
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
		long maxLag = 0;
		for (long i = 0; i < count; i++) {
			long intended = start + i * interval;
			long wait;
			while ((wait = intended - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			maxLag = Math.max(maxLag, -wait);
			client.sendAsync(requests.apply(i), HttpResponse.BodyHandlers.ofByteArray())
				.whenComplete((response, failure) -> {
					Latencies.record(latencies, System.nanoTime() - intended);
					if (failure != null) {
						failures.incrementAndGet();
					}
					else {
						statuses.computeIfAbsent(response.statusCode(), (status) -> new LongAdder()).increment();
					}
					done.countDown();
				});
		}
		long sent = System.nanoTime();
		if (!done.await(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
			throw new IllegalStateException(done.getCount() + " of " + count + " requests unanswered after " + TIMEOUT);
		}
		Map<Integer, Long> answered = new TreeMap<>();
		statuses.forEach((status, n) -> answered.put(status, n.sum()));
		double offered = (count > 1) ? (count - 1) * 1e9 / Math.max(1, sent - start) : ratePerSecond;
		return new Outcome(latencies, answered, failures.get(), offered, maxLag / 1e6);
	}

	/**
	 * What a run measured.
	 *
	 * @param latencies from each request's intended start to its complete response, in microseconds
	 * @param statuses responses by HTTP status
	 * @param failures requests that got no response (connection errors)
	 * @param offeredPerSecond the rate at which requests actually went out
	 * @param maxSendLagMs the most a request went out after its intended time (the client's own stalls)
	 */
	record Outcome(Histogram latencies, Map<Integer, Long> statuses, long failures, double offeredPerSecond,
			double maxSendLagMs) {

		/** Responses that were not 2xx, plus failures. */
		long errors() {
			long errors = this.failures;
			for (Map.Entry<Integer, Long> status : this.statuses.entrySet()) {
				if (status.getKey() / 100 != 2) {
					errors += status.getValue();
				}
			}
			return errors;
		}

	}

}
