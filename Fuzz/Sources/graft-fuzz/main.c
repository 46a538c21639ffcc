// The graft-fuzz executable. libFuzzer (linked by -sanitize=fuzzer) supplies main(); the entry
// points it calls, LLVMFuzzerInitialize and LLVMFuzzerTestOneInput, are in GraftFuzzEntry (Swift).
// The executable is a C target because SwiftPM links a Swift executable with main renamed to
// <module>_main, which would leave no main for libFuzzer to provide.
void graft_fuzz_anchor(void) {}
