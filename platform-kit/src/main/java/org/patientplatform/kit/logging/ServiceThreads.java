package org.patientplatform.kit.logging;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The service a thread works for, where one JVM runs several services (the local run, {@code LocalPlatform}).
 * Logback is configured once per JVM, by the first service to start, so every structured log line would
 * carry that service's {@code service.name}. A launcher names the service on the thread that starts it; the
 * threads that service's startup creates (its web server, Kafka consumers, schedulers, and the pools those
 * start) inherit the name, and {@link ServiceNameCustomizer} writes it into each of their log lines.
 * <p>
 * A JVM that runs one service never sets it, and its log lines keep the configured name.
 */
public final class ServiceThreads {

	private static final InheritableThreadLocal<@Nullable String> SERVICE = new InheritableThreadLocal<>();

	private ServiceThreads() {
	}

	/**
	 * Names the service this thread, and every thread it creates from now on, works for.
	 * @param service the service's name, as its {@code spring.application.name}
	 */
	public static void set(String service) {
		SERVICE.set(service);
	}

	/** @return the service this thread works for, if a launcher named one */
	public static Optional<String> current() {
		return Optional.ofNullable(SERVICE.get());
	}

}
