package org.patientplatform.kit.jobs;

import java.util.List;

import org.springframework.context.SmartLifecycle;

/** The job workers of this instance: one per {@code wrk--<queue>} role that is enabled. */
public class JobWorkers implements SmartLifecycle {

	/** Role name prefix of a worker role; the rest is the queue name. */
	public static final String ROLE_PREFIX = "wrk--";

	private final List<JobWorker> workers;

	private volatile boolean running;

	public JobWorkers(List<JobWorker> workers) {
		this.workers = List.copyOf(workers);
	}

	public List<String> queues() {
		return this.workers.stream().map(JobWorker::queue).toList();
	}

	@Override
	public void start() {
		this.workers.forEach(JobWorker::start);
		this.running = true;
	}

	@Override
	public void stop() {
		this.workers.forEach(JobWorker::stop);
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
