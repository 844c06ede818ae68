package org.patientplatform.dlq.capture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PayloadCipherTests {

	static final String OLD = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

	static final String NEW = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

	@Test
	void encryptsEachPayloadWithAFreshIvAndDecryptsItBack() {
		PayloadCipher cipher = cipher("new");
		byte[] payload = "{\"patient\":\"Ada Lovelace\"}".getBytes(StandardCharsets.UTF_8);
		byte[] first = cipher.encrypt(payload);
		byte[] second = cipher.encrypt(payload);
		assertThat(first).hasSize(12 + payload.length + 16);
		assertThat(Arrays.copyOf(first, 12)).isNotEqualTo(Arrays.copyOf(second, 12));
		assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("Ada Lovelace");
		assertThat(cipher.decrypt("new", first)).isEqualTo(payload);
		assertThat(cipher.decrypt("new", second)).isEqualTo(payload);
		assertThat(cipher.encrypt(new byte[0])).hasSize(12 + 16);
	}

	@Test
	void decryptsWithARetiredKeyAndRefusesATamperedPayload() {
		byte[] sealed = cipher("old").encrypt("before the rotation".getBytes(StandardCharsets.UTF_8));
		PayloadCipher rotated = cipher("new");
		assertThat(new String(rotated.decrypt("old", sealed), StandardCharsets.UTF_8)).isEqualTo("before the rotation");
		sealed[sealed.length - 1] ^= 1;
		assertThatExceptionOfType(UnreadablePayloadException.class).isThrownBy(() -> rotated.decrypt("old", sealed))
			.withMessage("the stored payload cannot be decrypted: it does not decrypt with key 'old'");
		// shorter than an IV and a tag (a seeded row's 32 bytes pass this and fail the tag)
		assertThatExceptionOfType(UnreadablePayloadException.class)
			.isThrownBy(() -> rotated.decrypt("old", new byte[20]))
			.withMessageContaining("shorter than an IV and a tag");
		// the thread's cipher is still usable after a failed decryption
		byte[] again = rotated.encrypt("after".getBytes(StandardCharsets.UTF_8));
		assertThat(new String(rotated.decrypt("new", again), StandardCharsets.UTF_8)).isEqualTo("after");
		assertThatExceptionOfType(UnreadablePayloadException.class).isThrownBy(() -> rotated.decrypt("gone", again))
			.withMessage("the stored payload cannot be decrypted: no key 'gone' is configured (keep retired keys "
					+ "in dlq.encryption.keys)");
	}

	@Test
	void isSafeToShareBetweenThreads() throws Exception {
		PayloadCipher cipher = cipher("new");
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<Set<String>>> ivs = new java.util.ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int thread = t;
				ivs.add(threads.submit(() -> {
					Set<String> seen = new HashSet<>();
					for (int i = 0; i < 2_000; i++) {
						byte[] payload = ("payload " + thread + "/" + i).getBytes(StandardCharsets.UTF_8);
						byte[] sealed = cipher.encrypt(payload);
						assertThat(cipher.decrypt("new", sealed)).isEqualTo(payload);
						seen.add(Arrays.toString(Arrays.copyOf(sealed, 12)));
					}
					return seen;
				}));
			}
			Set<String> all = new HashSet<>();
			for (Future<Set<String>> future : ivs) {
				all.addAll(future.get());
			}
			assertThat(all).hasSize(8_000);
		}
		finally {
			threads.shutdown();
		}
	}

	private static PayloadCipher cipher(String active) {
		return new PayloadCipher(new DlqProperties.Encryption(active, Map.of("old", OLD, "new", NEW)));
	}

}
