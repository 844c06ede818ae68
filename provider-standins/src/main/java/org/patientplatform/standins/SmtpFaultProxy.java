package org.patientplatform.standins;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import org.jspecify.annotations.Nullable;
import org.patientplatform.standins.Faults.Fault;

/**
 * The SMTP port the clients see: relays every session to GreenMail line by line, and
 * injects the faults asked for. A fault is taken at a transaction's {@code MAIL FROM}:
 * {@code ERROR} answers {@code 451}, {@code THROTTLE} {@code 421} (closing the
 * connection), {@code REJECT} {@code 550 5.1.1} to {@code RCPT TO}, and {@code DELAY}
 * holds GreenMail's answer to the end of the message data, which GreenMail has already
 * stored.
 */
final class SmtpFaultProxy {

	private final ServerSocket server;

	private final int backendPort;

	private final Faults faults;

	private final ExecutorService executor = Http.executor();

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	SmtpFaultProxy(int port, int backendPort, Faults faults) throws IOException {
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
		this.backendPort = backendPort;
		this.faults = faults;
		this.executor.execute(this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	void close() {
		try {
			this.server.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
		this.sockets.forEach(SmtpFaultProxy::closeQuietly);
		this.executor.shutdownNow();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				this.executor.execute(() -> relay(client));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void relay(Socket client) {
		try (client; Socket backend = new Socket(InetAddress.getLoopbackAddress(), this.backendPort)) {
			this.sockets.add(client);
			this.sockets.add(backend);
			Session session = new Session(client.getOutputStream(), backend.getOutputStream());
			this.executor.execute(() -> session.fromServer(backend, client));
			session.fromClient(client);
		}
		catch (IOException ex) {
			// the client or GreenMail went away
		}
		finally {
			this.sockets.remove(client);
		}
	}

	private final class Session {

		private final OutputStream toClient;

		private final OutputStream toServer;

		private volatile boolean inData;

		private volatile long delayNextAnswer;

		private volatile @Nullable Fault fault;

		Session(OutputStream toClient, OutputStream toServer) {
			this.toClient = toClient;
			this.toServer = toServer;
		}

		void fromClient(Socket client) throws IOException {
			InputStream in = new BufferedInputStream(client.getInputStream());
			byte[] line;
			while ((line = readLine(in)) != null) {
				if (this.inData) {
					if (isDataEnd(line)) {
						this.inData = false;
						Fault current = this.fault;
						if (current != null && current.kind() == Faults.Kind.DELAY) {
							this.delayNextAnswer = current.delay().toMillis();
						}
						this.fault = null;
					}
					this.toServer.write(line);
					this.toServer.flush();
					continue;
				}
				String command = new String(line, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
				if (command.startsWith("MAIL FROM")) {
					Fault taken = SmtpFaultProxy.this.faults.take(Faults.Target.EMAIL);
					this.fault = taken;
					if (taken != null && taken.kind() == Faults.Kind.ERROR) {
						this.fault = null;
						answer("451 4.3.0 Temporary server error. Please try again later\r\n");
						continue;
					}
					if (taken != null && taken.kind() == Faults.Kind.THROTTLE) {
						answer("421 4.7.0 Too many messages, try again in " + taken.retryAfterSeconds()
								+ " seconds. Closing connection\r\n");
						// half-close, then drain: closing with unread input would reset the 421 away
						client.shutdownOutput();
						while (readLine(in) != null) {
							// the client's QUIT, if any
						}
						return;
					}
				}
				else if (command.startsWith("RCPT TO")) {
					Fault current = this.fault;
					if (current != null && current.kind() == Faults.Kind.REJECT) {
						answer("550 5.1.1 The email account that you tried to reach does not exist\r\n");
						continue;
					}
				}
				else if (command.startsWith("RSET")) {
					this.fault = null;
				}
				this.toServer.write(line);
				this.toServer.flush();
			}
		}

		void fromServer(Socket backend, Socket client) {
			try (backend; client) {
				InputStream in = new BufferedInputStream(backend.getInputStream());
				byte[] line;
				while ((line = readLine(in)) != null) {
					long delay = this.delayNextAnswer;
					if (delay > 0) {
						this.delayNextAnswer = 0;
						Http.pause(delay);
					}
					if (line.length >= 3 && line[0] == '3' && line[1] == '5' && line[2] == '4') {
						this.inData = true; // before the client can start the data
					}
					synchronized (this.toClient) {
						this.toClient.write(line);
						this.toClient.flush();
					}
				}
			}
			catch (IOException ex) {
				// the session ended
			}
		}

		private void answer(String reply) throws IOException {
			synchronized (this.toClient) {
				this.toClient.write(reply.getBytes(StandardCharsets.US_ASCII));
				this.toClient.flush();
			}
		}

	}

	private static boolean isDataEnd(byte[] line) {
		return (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n')
				|| (line.length == 2 && line[0] == '.' && line[1] == '\n');
	}

	/** One line with its line end, or null at the end of the stream. */
	private static byte @Nullable [] readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(128);
		int b;
		while ((b = in.read()) != -1) {
			line.write(b);
			if (b == '\n') {
				return line.toByteArray();
			}
		}
		return (line.size() > 0) ? line.toByteArray() : null;
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
	}

}
