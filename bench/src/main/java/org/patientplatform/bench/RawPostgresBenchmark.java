package org.patientplatform.bench;

import org.patientplatform.bench.Infrastructure.Database;

/**
 * PostgreSQL's raw limits for the platform's kinds of write, on a fresh database: single-row commits of
 * a 1 KB row, JDBC batches of 500 such rows per transaction, and {@code SKIP LOCKED} claims of one row
 * per transaction, each with two client threads.
 */
final class RawPostgresBenchmark implements Benchmark {

	static final String NAME = "raw-postgres";

	static final int THREADS = 2;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long commits = options.size(10_000, 200);
		long batchedRows = commits * 10;
		long claims = commits * 2;
		try (Database db = infrastructure.freshDatabase("rawpg")) {
			RawPostgres.singleRowInserts(db, warmup(commits), THREADS);
			RawPostgres.Timed single = RawPostgres.singleRowInserts(db, commits, THREADS);
			RawPostgres.batchedInserts(db, warmup(batchedRows), THREADS);
			RawPostgres.Timed batched = RawPostgres.batchedInserts(db, batchedRows, THREADS);
			RawPostgres.addClaimable(db, warmup(claims) + claims);
			RawPostgres.skipLockedClaims(db, warmup(claims), THREADS);
			RawPostgres.Timed claimed = RawPostgres.skipLockedClaims(db, claims, THREADS);
			double singleRate = RawPostgres.perSecond(commits, single.nanos());
			double batchedRate = RawPostgres.perSecond(batchedRows, batched.nanos());
			double claimRate = RawPostgres.perSecond(claims, claimed.nanos());
			return Result.of(NAME)
				.parameter("threads", THREADS)
				.parameter("rowBytes", RawPostgres.ROW_BYTES)
				.parameter("singleRowCommits", commits)
				.parameter("batchedRows", batchedRows)
				.parameter("batchSize", RawPostgres.BATCH_SIZE)
				.parameter("claims", claims)
				.figure("singleRowCommitsPerSecond", singleRate)
				.figure("batchedRowsPerSecond", batchedRate)
				.figure("skipLockedClaimsPerSecond", claimRate)
				.raw("singleRowCommitsPerSecond", singleRate)
				.raw("batchedRowsPerSecond", batchedRate)
				.raw("skipLockedClaimsPerSecond", claimRate)
				.diagnostic("singleRowInserts", single.cpu().perUnit(commits, "Commit"))
				.diagnostic("batchedInserts", batched.cpu().perUnit(batchedRows, "Row"))
				.diagnostic("skipLockedClaims", claimed.cpu().perUnit(claims, "Claim"))
				.build("%s: single-row commits %s, batched inserts %s rows, SKIP LOCKED claims %s (%d threads, 1 KB rows)"
					.formatted(NAME, Result.rate(singleRate), Result.rate(batchedRate), Result.rate(claimRate), THREADS));
		}
	}

	static long warmup(long count) {
		return Math.max(count / 10, 50);
	}

}
