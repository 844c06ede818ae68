package org.patientplatform.notification.batches;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a batch (queue {@code batch-publisher}, role {@code wrk--batch-publisher}). Each
 * chunk is one transaction that locks the batch's row, creates the chunk's notifications
 * (idempotency key {@code batch:<batchId>:<patientId>}, the patient it goes to) and moves the cursor and counters:
 * a run that stops anywhere leaves every recipient either notified and counted or still
 * ahead of the cursor, so the next run continues without duplicates, and two runs at once
 * take turns on the row. A cancelled batch's job instead cancels the deliveries of its
 * notifications that are not sent yet.
 * <p>
 * The handler bean exists in every role (it only polls nothing); the kit runs it where a
 * {@code wrk--batch-publisher} worker claims its jobs.
 */
@Component
class BatchPublisher implements JobHandler {

	static final String WAITING_FOR_CONTACT = "Waiting for the patient's contact details";

	static final String CANCELLED = "The batch was cancelled";

	private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

	private final Batches batches;

	private final ContactDirectory contacts;

	private final Notifications notifications;

	private final TransactionTemplate transactions;

	private final BatchesProperties properties;

	private final Clock clock = Clock.systemUTC();

	BatchPublisher(Batches batches, ContactDirectory contacts, Notifications notifications,
			TransactionTemplate transactions, BatchesProperties properties) {
		this.batches = batches;
		this.contacts = contacts;
		this.notifications = notifications;
		this.transactions = transactions;
		this.properties = properties;
	}

	@Override
	public String type() {
		return Batches.JOB_TYPE;
	}

	@Override
	public void handle(Job job) {
		UUID id = UUID.fromString(job.payload().get("batchId").asString());
		if (run(id, this.properties.slice(), Integer.MAX_VALUE) == Run.SLICE_USED) {
			this.transactions.executeWithoutResult((status) -> this.batches.progress(id)
				.filter((progress) -> progress.state().isOpen())
				.ifPresent((progress) -> this.batches.enqueueContinuation(id, progress.cursor())));
		}
	}

	/**
	 * Creates the batch's notifications chunk by chunk until it is done or cancelled, or
	 * the slice or the chunk budget is used up; for a cancelled batch, cancels what it
	 * created and has not been sent.
	 */
	Run run(UUID id, Duration slice, int maxChunks) {
		Batches.Progress progress = this.batches.progress(id).orElse(null);
		if (progress == null) {
			log.warn("Batch {} is gone; nothing to do", id);
			return Run.STOPPED;
		}
		if (progress.state() == BatchState.CANCELLED) {
			int cancelled = cancelUnsent(id, progress.cursor());
			log.info("Batch {} cancelled: {} deliveries not yet sent were cancelled", id, cancelled);
			return Run.STOPPED;
		}
		if (progress.state() == BatchState.COMPLETED) {
			return Run.COMPLETED;
		}
		long deadline = System.nanoTime() + slice.toNanos();
		for (int i = 0; i < maxChunks; i++) {
			if (i > 0 && System.nanoTime() > deadline) {
				return Run.SLICE_USED;
			}
			Run done = this.transactions.execute((status) -> chunk(id));
			if (done != null) {
				log.info("Batch {} {}", id, (done == Run.COMPLETED) ? "completed" : "stopped");
				return done;
			}
		}
		return Run.SLICE_USED;
	}

	/** One chunk in the caller's transaction; null when more recipients remain. */
	private @Nullable Run chunk(UUID id) {
		BatchState state = this.batches.lockState(id).orElse(null);
		if (state == null || !state.isOpen()) {
			return Run.STOPPED;
		}
		Batches.Progress progress = this.batches.progress(id).orElseThrow();
		Instant now = now();
		this.batches.markRunning(id, now);
		int size = this.properties.chunkSize();
		List<Batches.Recipient> recipients = this.batches.recipients(id, progress.cursor(), size);
		if (recipients.isEmpty()) {
			this.batches.markCompleted(id, now);
			return Run.COMPLETED;
		}
		Map<String, Contact> known = this.contacts
			.findAllForNotices(recipients.stream().map(Batches.Recipient::patientId).toList());
		List<Notification> reachable = new ArrayList<>();
		List<Notification> waiting = new ArrayList<>();
		Batches.BatchContent content = progress.content();
		for (Batches.Recipient recipient : recipients) {
			Contact contact = known.get(recipient.patientId());
			// a patient merged since the batch was made is reached as the survivor, and once: a list that names
			// both is one person (the notice is keyed by whom it goes to, so the second is skipped)
			String addressee = ContactDirectory.addressee(recipient.patientId(), contact);
			NewNotification notice = new NewNotification(content.type(), addressee, content.priority(),
					idempotencyKey(id, addressee), null, content.parameters(), content.notBefore());
			if (contact == null || !contact.isKnown()) {
				waiting.add(Notification.awaitingContact(notice, WAITING_FOR_CONTACT, now));
			}
			else {
				reachable.add(Notification.create(notice, contact.deliveryTargets(), now));
			}
		}
		int created = this.notifications.storeNew(reachable);
		int parked = this.notifications.storeNew(waiting);
		this.batches.recordChunk(id, recipients.getLast().seq(), created + parked,
				recipients.size() - created - parked, parked, now);
		if (recipients.size() < size) {
			this.batches.markCompleted(id, now);
			return Run.COMPLETED;
		}
		return null;
	}

	/**
	 * Cancels the deliveries not yet sent of every notification the batch created, and
	 * those still waiting for a contact, a chunk per transaction. Each chunk locks its
	 * notifications (a sender's claim passes them by meanwhile) and cancels through the
	 * notification, so a delivery a sender already took is left as it is.
	 * @return how many deliveries were cancelled
	 */
	private int cancelUnsent(UUID id, int lastSeq) {
		int cancelled = 0;
		int after = 0;
		while (after < lastSeq) {
			int from = after;
			int[] result = this.transactions.execute((status) -> {
				List<Batches.Recipient> recipients = this.batches.recipients(id, from, this.properties.chunkSize())
					.stream()
					.filter((recipient) -> recipient.seq() <= lastSeq)
					.toList();
				if (recipients.isEmpty()) {
					return new int[] { lastSeq, 0 };
				}
				Instant now = now();
				// a notice is keyed by its addressee (the survivor of a merge), or, made before that, by the id listed
				Map<String, String> addressees = this.contacts
					.addressees(recipients.stream().map(Batches.Recipient::patientId).toList());
				List<String> keys = recipients.stream()
					.flatMap((recipient) -> Stream.of(recipient.patientId(),
							addressees.getOrDefault(recipient.patientId(), recipient.patientId())))
					.distinct()
					.map((patientId) -> idempotencyKey(id, patientId))
					.toList();
				List<Notification> locked = this.notifications.lock(this.notifications.findIdsByIdempotencyKeys(keys));
				int count = 0;
				for (Notification notification : locked) {
					count += notification.cancel(CANCELLED, now).size();
				}
				this.notifications.saveChanges(locked, now);
				return new int[] { recipients.getLast().seq(), count };
			});
			if (result == null) {
				break;
			}
			after = result[0];
			cancelled += result[1];
		}
		return cancelled;
	}

	static String idempotencyKey(UUID batchId, String patientId) {
		return "batch:" + batchId + ":" + patientId;
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	/** How a run ended. */
	enum Run {

		/** Every recipient was handled. */
		COMPLETED,
		/** The batch is cancelled (or gone). */
		STOPPED,
		/** The slice or the chunk budget is used up; recipients remain. */
		SLICE_USED

	}

}
