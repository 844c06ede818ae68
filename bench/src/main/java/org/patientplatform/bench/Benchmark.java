package org.patientplatform.bench;

/** One benchmark: warms up, runs a fixed count, and measures the raw limit it compares with. */
interface Benchmark {

	String name();

	Result run(Infrastructure infrastructure, Options options) throws Exception;

}
