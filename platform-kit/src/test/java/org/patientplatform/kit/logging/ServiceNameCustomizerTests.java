package org.patientplatform.kit.logging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.json.JsonWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceNameCustomizerTests {

	/** The members Boot's ECS format writes for a service, nested, with the configured name. */
	private static final JsonWriter<String> ECS = JsonWriter.of((members) -> {
		members.add("message", (message) -> message);
		members.add("service").usingMembers((service) -> {
			service.add("name", "dlq-service");
			service.add("version", "1.0");
		});
		new ServiceNameCustomizer().customize(cast(members));
	});

	@SuppressWarnings("unchecked")
	private static JsonWriter.Members<Object> cast(JsonWriter.Members<?> members) {
		return (JsonWriter.Members<Object>) members;
	}

	@Test
	void writesTheServiceAThreadWasStartedForAndTheThreadsItCreatesInherit() throws Exception {
		AtomicReference<String> inherited = new AtomicReference<>();
		Thread launcher = new Thread(() -> {
			ServiceThreads.set("booking-queue-service");
			Thread consumer = new Thread(() -> inherited.set(ECS.writeToString("slot booked")));
			consumer.start();
			try {
				consumer.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		launcher.start();
		launcher.join();

		assertThat(inherited.get()).isEqualTo(
				"{\"message\":\"slot booked\",\"service\":{\"name\":\"booking-queue-service\",\"version\":\"1.0\"}}");
	}

	@Test
	void keepsTheConfiguredNameOnAThreadNoLauncherNamed() throws Exception {
		String line = CompletableFuture.supplyAsync(() -> ECS.writeToString("started"), Thread::startVirtualThread).get();
		assertThat(line).isEqualTo("{\"message\":\"started\",\"service\":{\"name\":\"dlq-service\",\"version\":\"1.0\"}}");
	}

	@Test
	void leavesAnotherFieldNamedNameAlone() throws Exception {
		JsonWriter<String> writer = JsonWriter.of((members) -> {
			members.add("event").usingMembers((event) -> event.add("name", "booked"));
			new ServiceNameCustomizer().customize(cast(members));
		});
		AtomicReference<String> line = new AtomicReference<>();
		Thread thread = new Thread(() -> {
			ServiceThreads.set("booking-queue-service");
			line.set(writer.writeToString("x"));
		});
		thread.start();
		thread.join();
		assertThat(line.get()).isEqualTo("{\"event\":{\"name\":\"booked\"}}");
	}

}
