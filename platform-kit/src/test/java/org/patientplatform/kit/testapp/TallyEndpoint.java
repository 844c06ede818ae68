package org.patientplatform.kit.testapp;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Counts up rows of {@code test_tally} in one repeatable-read transaction, in the order given: what a
 * service's write that locks several rows does, so a test holding some of them on a connection of its own
 * meets a real deadlock, lock timeout or serialization failure through HTTP.
 */
@RestController
@RequestMapping("/api/v1/things/tallies")
@ConditionalOnRole("app")
class TallyEndpoint {

	private final JdbcTemplate jdbc;

	TallyEndpoint(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PostMapping
	@PreAuthorize("hasRole('staff')")
	@Transactional(isolation = Isolation.REPEATABLE_READ)
	String bump(@RequestParam List<Integer> ids, @RequestParam(required = false) @Nullable Duration lockTimeout) {
		if (lockTimeout != null) {
			this.jdbc.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
		}
		for (int id : ids) {
			this.jdbc.update("UPDATE test_tally SET n = n + 1 WHERE id = ?", id);
		}
		return "bumped";
	}

}
