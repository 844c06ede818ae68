package org.patientplatform.kit.jobs;

import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Ops view of background jobs: failed jobs with their error, and a retry. */
@RestController
@RequestMapping("/api/v1/ops/jobs")
@Tag(name = "Background jobs (ops)")
@SecurityRequirement(name = "bearer")
public class JobsEndpoint {

	private final Jobs jobs;

	public JobsEndpoint(Jobs jobs) {
		this.jobs = jobs;
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Jobs in a state (default FAILED), the most recently changed first; keyset pages "
			+ "(pass nextCursor back as cursor)")
	public Page<JobView> list(@RequestParam(required = false) @Nullable @Size(max = 255) String queue,
			@RequestParam(defaultValue = "FAILED") @Pattern(regexp = "READY|RUNNING|SUCCEEDED|FAILED",
					message = "must be READY, RUNNING, SUCCEEDED or FAILED") String status,
			@RequestParam(required = false) @Nullable @Size(max = 200) String cursor,
			@RequestParam(required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		return this.jobs.list((queue != null && !queue.isBlank()) ? queue : null, status, cursor, Page.limit(limit));
	}

	@PostMapping("/{id}/retry")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Put a failed job back on its queue")
	public Map<String, Object> retry(@PathVariable long id) {
		if (!this.jobs.retry(id)) {
			throw new NotFoundException("No failed job " + id);
		}
		return Map.of("id", id, "status", "READY");
	}

}
