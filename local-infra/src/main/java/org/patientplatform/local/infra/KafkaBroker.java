package org.patientplatform.local.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker and controller), running in
 * this JVM from the {@code kafka_2.13} artifact. Its log directory is formatted once with Kafka's own
 * {@link StorageTool} and reused on the next start, so data survives restarts when the same directory
 * is given.
 */
public final class KafkaBroker implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);

	private final Properties config;

	private final int port;

	private final Path dataDirectory;

	private @Nullable KafkaRaftServer server;

	private KafkaBroker(KafkaRaftServer server, Properties config, int port, Path dataDirectory) {
		this.server = server;
		this.config = config;
		this.port = port;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * Formats {@code dataDirectory} if it holds no Kafka log yet and starts a broker listening on
	 * 127.0.0.1:{@code port}; a port of 0 picks a free one.
	 * @param dataDirectory where the broker keeps its logs and metadata
	 * @param port the client port, or 0 for any free port
	 * @param partitions the default partition count of auto-created topics
	 * @return the started broker
	 */
	public static KafkaBroker start(Path dataDirectory, int port, int partitions) {
		try {
			int clientPort = (port == 0) ? freePort() : port;
			int controllerPort = freePortOtherThan(clientPort);
			Path logDir = dataDirectory.resolve("kraft-logs");
			Files.createDirectories(logDir);
			Properties props = new Properties();
			props.put("process.roles", "broker,controller");
			props.put("node.id", "1");
			props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
			props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
			props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
			props.put("controller.listener.names", "CONTROLLER");
			props.put("inter.broker.listener.name", "PLAINTEXT");
			props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
			props.put("log.dirs", logDir.toString());
			props.put("num.partitions", Integer.toString(partitions));
			props.put("auto.create.topics.enable", "true");
			props.put("offsets.topic.replication.factor", "1");
			props.put("offsets.topic.num.partitions", "5");
			props.put("transaction.state.log.replication.factor", "1");
			props.put("transaction.state.log.min.isr", "1");
			props.put("transaction.state.log.num.partitions", "5");
			props.put("share.coordinator.state.topic.replication.factor", "1");
			props.put("share.coordinator.state.topic.min.isr", "1");
			props.put("group.initial.rebalance.delay.ms", "0");
			props.put("log.flush.interval.messages", "10000");
			props.put("log.retention.hours", "168");
			Path config = dataDirectory.resolve("server.properties");
			try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
				props.store(out, "written by patient-platform local-infra; rewritten on every start");
			}
			format(config, dataDirectory);
			KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
			server.startup();
			log.info("Kafka broker (KRaft) listening on 127.0.0.1:{}, data in {}", clientPort, dataDirectory);
			return new KafkaBroker(server, props, clientPort, dataDirectory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start the Kafka broker in " + dataDirectory, ex);
		}
	}

	private static void format(Path config, Path dataDirectory) throws IOException {
		Path clusterIdFile = dataDirectory.resolve("cluster.id");
		if (!Files.exists(clusterIdFile)) {
			Files.writeString(clusterIdFile, Uuid.randomUuid().toString());
		}
		String clusterId = Files.readString(clusterIdFile).trim();
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		int status = StorageTool.execute(new String[] { "format", "--cluster-id", clusterId, "--config", config.toString(),
				"--ignore-formatted" }, new PrintStream(output, true, StandardCharsets.UTF_8));
		if (status != 0) {
			throw new IllegalStateException(
					"Kafka's StorageTool could not format " + dataDirectory + ": " + output.toString(StandardCharsets.UTF_8));
		}
	}

	/**
	 * A free port that is not {@code taken}: the operating system can hand the port {@link #freePort}
	 * just released to the next call, and two listeners of one broker on one port fail its start.
	 */
	private static int freePortOtherThan(int taken) throws IOException {
		int port = freePort();
		while (port == taken) {
			port = freePort();
		}
		return port;
	}

	/** A port free on the loopback address now (another process may take it before it is used). */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	/** @return the bootstrap servers string clients connect to */
	public String bootstrapServers() {
		return "127.0.0.1:" + this.port;
	}

	public int port() {
		return this.port;
	}

	public Path dataDirectory() {
		return this.dataDirectory;
	}

	/**
	 * Stops the broker and waits until it has stopped, keeping its data, ports and cluster id, so that
	 * {@link #restart()} brings the same broker back; to clients it looks like a broker outage. For fault
	 * tests; a stopped broker may also just be closed.
	 */
	public synchronized void stop() {
		KafkaRaftServer running = this.server;
		if (running != null) {
			running.shutdown();
			running.awaitShutdown();
			this.server = null;
			log.info("Kafka broker on 127.0.0.1:{} stopped (it can be restarted)", this.port);
		}
	}

	/** Starts a {@link #stop() stopped} broker again on the same port with the same data; no-op if running. */
	public synchronized void restart() {
		if (this.server == null) {
			KafkaRaftServer restarted = new KafkaRaftServer(KafkaConfig.fromProps(this.config, false), Time.SYSTEM);
			restarted.startup();
			this.server = restarted;
			log.info("Kafka broker (KRaft) listening again on 127.0.0.1:{}, data in {}", this.port, this.dataDirectory);
		}
	}

	/** @return whether the broker runs (it was not {@link #stop() stopped} or closed) */
	public synchronized boolean isRunning() {
		return this.server != null;
	}

	/** Stops the broker cleanly and waits until it has stopped. */
	@Override
	public synchronized void close() {
		KafkaRaftServer running = this.server;
		if (running != null) {
			running.shutdown();
			running.awaitShutdown();
			this.server = null;
		}
		log.info("Kafka broker on 127.0.0.1:{} stopped", this.port);
	}

}
