package org.patientplatform.patient.lis;

import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Daily (role {@code cron}, once across replicas): deletes the LIS messages kept because no feature handles
 * their type once they are older than {@code patient.lis.unhandled-retention} (365 days). Their ER7 text holds
 * patient data, and before this they were kept for good. Messages waiting for their patient, or naming an order
 * of another patient, are not touched: they are still to be applied. Each purge is audited with its count.
 */
@Component
@ConditionalOnRole("cron")
class KeptMessageRetention implements CronTask {

	private static final Logger log = LoggerFactory.getLogger(KeptMessageRetention.class);

	private final JdbcClient jdbc;

	private final LisProperties properties;

	private final AuditLog audit;

	KeptMessageRetention(JdbcClient jdbc, LisProperties properties, AuditLog audit) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.audit = audit;
	}

	@Override
	public String name() {
		return "patient-lis-kept-retention";
	}

	@Override
	public String cron() {
		return "0 47 3 * * *";
	}

	@Override
	@Transactional
	public void run() {
		int purged = purge();
		log.info("Deleted {} kept LIS messages of unhandled types older than {}", purged,
				this.properties.unhandledRetention());
	}

	/** @return how many kept messages were deleted */
	@Transactional
	int purge() {
		int purged = this.jdbc.sql("""
				DELETE FROM lis_unhandled_message
				WHERE reason = ? AND received_at < now() - make_interval(secs => ?)
				""")
			.params(LisInbox.UNHANDLED_TYPE, (double) this.properties.unhandledRetention().toSeconds())
			.update();
		if (purged > 0) {
			this.audit.record("lis-kept-purged", "lis-message", null, "OK",
					purged + " kept messages of unhandled types older than " + this.properties.unhandledRetention());
		}
		return purged;
	}

}
