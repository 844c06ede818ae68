package org.patientplatform.dlq.capture;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DLQ volume by failing service and original topic ({@code dlq_captured_total}). Both labels come from the
 * failed record's headers, which any producer on the DLQ topic writes, so the series are bounded: the first
 * {@code maxSeries} (service, topic) pairs an instance sees get their own series, and any later pair is counted
 * under {@code (other)} for both (logged once), so a producer writing a new service name into each record cannot
 * grow the metrics without end. A record without a service is counted under {@code (none)}, as the API's facets
 * name it, and a raw one under the topic {@code (raw)} (a record naming a topic Kafka cannot have is raw: no label
 * from it). No label is longer than a name may be ({@link FieldLimits#NAME}): the capture keeps a record naming a
 * longer service raw and without one, and a longer label that reached here all the same would be counted under
 * {@code (other)}.
 */
final class CaptureVolume {

	static final String OTHER = "(other)";

	private static final Logger log = LoggerFactory.getLogger(CaptureVolume.class);

	private final MeterRegistry meters;

	private final int maxSeries;

	private final Set<List<String>> series = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean full = new AtomicBoolean();

	CaptureVolume(MeterRegistry meters, int maxSeries) {
		this.meters = meters;
		this.maxSeries = maxSeries;
	}

	void count(List<CapturedRecord> captured) {
		Map<List<String>, Long> volume = captured.stream()
			.collect(Collectors.groupingBy((r) -> List.of(Objects.requireNonNullElse(r.sourceService(), "(none)"),
					r.isRaw() ? "(raw)" : String.valueOf(r.originalTopic())), Collectors.counting()));
		volume.forEach((tags, count) -> {
			List<String> labels = labels(tags);
			this.meters.counter("dlq.captured", "source_service", labels.get(0), "topic", labels.get(1)).increment(count);
		});
	}

	private List<String> labels(List<String> tags) {
		if (tags.stream().anyMatch((tag) -> tag.length() > FieldLimits.NAME)) {
			return List.of(OTHER, OTHER);
		}
		if (this.series.contains(tags)) {
			return tags;
		}
		// a race between two consumers may let a pair or two past the bound: it stays bounded
		if (this.series.size() < this.maxSeries) {
			this.series.add(tags);
			return tags;
		}
		if (this.full.compareAndSet(false, true)) {
			log.warn("dlq_captured_total has {} series (dlq.capture.max-volume-series); records of services and "
					+ "topics not seen before are counted under (other)", this.maxSeries);
		}
		return List.of(OTHER, OTHER);
	}

}
