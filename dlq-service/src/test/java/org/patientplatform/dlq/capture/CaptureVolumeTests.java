package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.kafka.DeadLetterHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class CaptureVolumeTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final CaptureVolume volume = new CaptureVolume(this.meters, 2);

	@Test
	void countsEachServiceAndTopicOnItsOwnUpToTheBoundThenTheRestUnderOther() {
		this.volume.count(List.of(failed("booking", "booking.events.v1"), failed("booking", "booking.events.v1"),
				failed("patient", "lis.inbound.v1")));
		// a producer writing a new service name into every record: past the bound, one series takes them all
		this.volume.count(List.of(failed("made-up-1", "t.v1"), failed("made-up-2", "t.v1"), failed("made-up-3", "u.v1")));
		// a pair seen before the bound keeps its own series
		this.volume.count(List.of(failed("patient", "lis.inbound.v1")));

		assertThat(count("booking", "booking.events.v1")).isEqualTo(2);
		assertThat(count("patient", "lis.inbound.v1")).isEqualTo(2);
		assertThat(count(CaptureVolume.OTHER, CaptureVolume.OTHER)).isEqualTo(3);
		assertThat(this.meters.find("dlq.captured").counters()).hasSize(3);
	}

	@Test
	void countsARecordWithoutAServiceUnderNoneAndARawOneUnderRaw() {
		ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, null, "x".getBytes());
		this.volume.count(List.of(failed(null, "orders.v1"), CapturedRecord.from(raw, Instant.now())));
		assertThat(count("(none)", "orders.v1")).isEqualTo(1);
		assertThat(count("(none)", "(raw)")).isEqualTo(1);
	}

	@Test
	void neverMakesALabelOfANameLongerThanTheApiTakes() {
		// as the capture reads it: a raw record without the service
		this.volume.count(List.of(read("s".repeat(2_000), "orders.v1")));
		assertThat(count("(none)", "(raw)")).isEqualTo(1);
		// and should a longer one reach the count all the same
		CapturedRecord unbounded = new CapturedRecord(null, "s".repeat(2_000), null, "", "orders.v1", 0, 9L, null, null,
				List.of(), null, "java.lang.IllegalStateException", null, null, null, "fp", false, 1, 0, 2L,
				Instant.now(), null, null);
		this.volume.count(List.of(unbounded));
		assertThat(count(CaptureVolume.OTHER, CaptureVolume.OTHER)).isEqualTo(1);
		assertThat(this.meters.find("dlq.captured").counters())
			.allSatisfy((counter) -> assertThat(counter.getId().getTags())
				.allSatisfy((tag) -> assertThat(tag.getValue()).hasSizeLessThanOrEqualTo(FieldLimits.NAME)));
	}

	private double count(String service, String topic) {
		Counter counter = this.meters.find("dlq.captured").tags("source_service", service, "topic", topic).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static CapturedRecord failed(String service, String topic) {
		CapturedRecord captured = read(service, topic);
		assertThat(captured.isRaw()).isFalse();
		return captured;
	}

	private static CapturedRecord read(String service, String topic) {
		ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, "k".getBytes(),
				"v".getBytes());
		record.headers()
			.add(DeadLetterHeaders.ORIGINAL_TOPIC, topic.getBytes())
			.add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(0).array())
			.add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(9).array())
			.add(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes());
		if (service != null) {
			record.headers().add(DeadLetterHeaders.SOURCE_SERVICE, service.getBytes());
		}
		return CapturedRecord.from(record, Instant.now());
	}

}
