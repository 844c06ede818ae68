package org.patientplatform.dlq.capture;

import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The only way other features reach stored payloads: decrypts them for a redrive or an audited reveal,
 * and stores an operator's edited payload (encrypted like the original, which is kept). Callers audit;
 * nothing here logs a payload, key or header value.
 */
@Component
public class DeadLetterPayloads {

	private final JdbcTemplate jdbc;

	private final PayloadCipher cipher;

	DeadLetterPayloads(JdbcTemplate jdbc, PayloadCipher cipher) {
		this.jdbc = jdbc;
		this.cipher = cipher;
	}

	/** The messages to send for these entries, in no particular order; unknown ids are left out. */
	public List<StoredMessage> load(Collection<UUID> ids) {
		return load(ids, "");
	}

	/**
	 * Locks these entries ({@code FOR UPDATE}, in id order, as every multi-entry lock of the service) in the
	 * current transaction and returns the messages to send for them, in id order; unknown ids are left out.
	 * One statement where a lock and then a {@link #load} were two (a bulk redrive's chunk).
	 */
	public List<StoredMessage> lockAndLoad(Collection<UUID> ids) {
		return load(ids, " ORDER BY s.id FOR UPDATE OF s");
	}

	private List<StoredMessage> load(Collection<UUID> ids, String lock) {
		if (ids.isEmpty()) {
			return List.of();
		}
		return this.jdbc.query("""
				SELECT s.id, r.kind, s.status, r.original_topic, r.original_partition, r.original_offset, r.record_key,
				       r.headers::text AS headers, r.payload_ciphertext, r.payload_key_id, r.payload_size,
				       r.edited_payload_ciphertext, r.edited_payload_key_id, r.attempts
				FROM dead_letter_state s JOIN dead_letter_record r ON r.id = s.id
				WHERE s.id = ANY(?::uuid[])""" + lock, (rs, n) -> {
			byte[] edited = rs.getBytes("edited_payload_ciphertext");
			byte[] original = rs.getBytes("payload_ciphertext");
			byte[] value = null;
			String unreadable = null;
			int size = rs.getInt("payload_size");
			// no payload but a size: the value was too large to dead-letter, and is sent only as an operator edits it
			String omitted = (edited == null && original == null && size > 0)
					? StoredMessage.valueOmitted(size, rs.getString("original_topic"),
							(Integer) rs.getObject("original_partition"), (Long) rs.getObject("original_offset"))
					: null;
			try {
				value = (edited != null) ? this.cipher.decrypt(rs.getString("edited_payload_key_id"), edited)
						: decryptOrNull(rs.getString("payload_key_id"), original);
			}
			catch (UnreadablePayloadException ex) {
				// this entry is not sent, with the reason; the others of a batch or a bulk chunk still are
				unreadable = ex.getMessage();
			}
			return new StoredMessage(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("status"),
					rs.getString("original_topic"), (Integer) rs.getObject("original_partition"),
					rs.getBytes("record_key"), value, edited != null,
					headers(rs.getString("headers")), rs.getInt("attempts"), unreadable, omitted);
		}, (Object) ids.stream().map(UUID::toString).toArray(String[]::new));
	}

	/** The original payload and, when an operator edited it, the edited one; empty for an unknown id. */
	public Optional<RevealedPayload> reveal(UUID id) {
		return this.jdbc.query("""
				SELECT payload_ciphertext, payload_key_id, payload_size, edited_payload_ciphertext,
				       edited_payload_key_id, edited_at, edited_by
				FROM dead_letter_record WHERE id = ?
				""", (rs, n) -> {
			byte[] original = decryptOrNull(rs.getString("payload_key_id"), rs.getBytes("payload_ciphertext"));
			byte[] editedCipher = rs.getBytes("edited_payload_ciphertext");
			RevealedPayload.Payload edited = null;
			if (editedCipher != null) {
				byte[] plain = this.cipher.decrypt(rs.getString("edited_payload_key_id"), editedCipher);
				edited = RevealedPayload.Payload.of(plain);
			}
			var editedAt = rs.getTimestamp("edited_at");
			int size = rs.getInt("payload_size");
			Integer omitted = (original == null && size > 0) ? size : null;
			return new RevealedPayload(id, (original != null) ? RevealedPayload.Payload.of(original) : null, omitted,
					edited, (editedAt != null) ? editedAt.toInstant() : null, rs.getString("edited_by"));
		}, id).stream().findFirst();
	}

	/**
	 * Stores an edited payload beside the original (a later edit replaces the earlier edit, never the
	 * original).
	 * @return false when there is no such entry
	 */
	public boolean storeEdited(UUID id, byte[] payload, String editedBy) {
		return this.jdbc.update("""
				WITH edited AS (
				    UPDATE dead_letter_record SET edited_payload_ciphertext = ?, edited_payload_key_id = ?,
				        edited_payload_size = ?, edited_at = now(), edited_by = ?
				    WHERE id = ?
				    RETURNING id)
				UPDATE dead_letter_state s SET updated_at = now() FROM edited WHERE s.id = edited.id
				""", this.cipher.encrypt(payload), this.cipher.activeKeyId(), payload.length, editedBy, id) == 1;
	}

	/** The payload, or null for a record that had no value (a tombstone). */
	private byte @Nullable [] decryptOrNull(@Nullable String keyId, byte @Nullable [] ciphertext) {
		if (keyId == null || ciphertext == null) {
			return null;
		}
		return this.cipher.decrypt(keyId, ciphertext);
	}

	private static List<Header> headers(@Nullable String stored) {
		return StoredHeader.read(stored)
			.stream()
			.map((header) -> (Header) new RecordHeader(header.key(), header.bytes()))
			.toList();
	}

	/**
	 * A decrypted payload for an operator.
	 *
	 * @param entryId the entry
	 * @param original the payload as captured; null when the record had no value (a tombstone, as a
	 * compacted topic's deletion is), which a redrive sends again as no value, and when its value was omitted
	 * @param originalOmittedSize the size of the value the failure path left out, too large to dead-letter (it is
	 * read at the record's original coordinates); null for any other entry
	 * @param edited an operator's edited version, if any
	 * @param editedAt when it was edited
	 * @param editedBy who edited it
	 */
	public record RevealedPayload(UUID entryId, @Nullable Payload original, @Nullable Integer originalOmittedSize,
			@Nullable Payload edited,
			@Nullable Instant editedAt, @Nullable String editedBy) {

		/**
		 * @param base64 the bytes, base64
		 * @param text the bytes as text when they are valid UTF-8, else null
		 * @param size the number of bytes
		 */
		public record Payload(String base64, @Nullable String text, int size) {

			static Payload of(byte[] bytes) {
				return new Payload(Base64.getEncoder().encodeToString(bytes), Utf8Text.strict(bytes), bytes.length);
			}

		}

	}

}
