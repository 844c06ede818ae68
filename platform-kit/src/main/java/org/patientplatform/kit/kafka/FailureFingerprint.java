package org.patientplatform.kit.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A failure's fingerprint: the root cause's class plus the top application frames (class and method,
 * no line numbers), hashed. The same bug gives the same fingerprint across runs, builds and instances,
 * so the DLQ can group failures into patterns.
 */
public final class FailureFingerprint {

	private static final int FRAMES = 3;

	private FailureFingerprint() {
	}

	/**
	 * @param failure the exception
	 * @param applicationPackage the package prefix whose frames count (e.g. {@code org.patientplatform})
	 * @return 16 hex characters
	 */
	public static String of(Throwable failure, String applicationPackage) {
		Throwable root = rootCause(failure);
		List<String> parts = new ArrayList<>();
		parts.add(root.getClass().getName());
		for (StackTraceElement frame : root.getStackTrace()) {
			if (frame.getClassName().startsWith(applicationPackage) && !frame.getClassName().contains("$$")) {
				parts.add(frame.getClassName() + "#" + frame.getMethodName());
				if (parts.size() > FRAMES) {
					break;
				}
			}
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The innermost cause, skipping the framework's wrappers. */
	public static Throwable rootCause(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root;
	}

}
