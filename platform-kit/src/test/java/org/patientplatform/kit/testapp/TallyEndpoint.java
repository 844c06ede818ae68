package org.patientplatform.kit.testapp;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Counts up rows of {@code test_tally} in one repeatable-read transaction, in the order given: what a
 * service's write that locks several rows does, so a test holding some of them on a connection of its own
 * meets a real deadlock, lock timeout or serialization failure through HTTP. {@code thenLoseTheDatabase} makes
 * the test database refuse connections once the count is committed: the database lost between a request's
 * work and what the filters around it write.
 */
@RestController
@RequestMapping("/api/v1/things/tallies")
@ConditionalOnRole("app")
class TallyEndpoint {

	private final JdbcTemplate jdbc;

	private final String database;

	TallyEndpoint(JdbcTemplate jdbc, @Value("${platform.test.database}") String database) {
		this.jdbc = jdbc;
		this.database = database;
	}

	@PostMapping
	@PreAuthorize("hasRole('staff')")
	@Transactional(isolation = Isolation.REPEATABLE_READ)
	String bump(@RequestParam List<Integer> ids, @RequestParam(required = false) @Nullable Duration lockTimeout,
			@RequestParam(defaultValue = "false") boolean thenLoseTheDatabase) {
		if (thenLoseTheDatabase) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					try {
						RealInfrastructureInitializer.postgres().acceptConnections(TallyEndpoint.this.database, false);
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				}
			});
		}
		if (lockTimeout != null) {
			this.jdbc.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
		}
		for (int id : ids) {
			this.jdbc.update("UPDATE test_tally SET n = n + 1 WHERE id = ?", id);
		}
		return "bumped";
	}

}
