import GraftFuzzTargets

#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's entry points (the C executable graft-fuzz has libFuzzer's `main`), which calls
// `LLVMFuzzerInitialize` once, then `LLVMFuzzerTestOneInput` per input.
//
//   GRAFT_FUZZ_TARGET=png graft-fuzz CORPUS_DIR -max_total_time=60
//   GRAFT_FUZZ_LIST=1 graft-fuzz                    # the target names, one a line
//   GRAFT_FUZZ_SEEDS=DIR graft-fuzz                 # writes each target's seeds to DIR/<name>/

nonisolated(unsafe) var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
  let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
  if environment("GRAFT_FUZZ_LIST") != nil {
    for target in FuzzTargets.all { print(target.name) }
    exit(0)
  }
  if let directory = environment("GRAFT_FUZZ_SEEDS") {
    for target in FuzzTargets.all {
      let folder = directory + "/" + target.name
      mkdir(folder, 0o755)
      for (i, seed) in target.seeds().enumerated() {
        guard let file = fopen(folder + "/seed-\(i)", "wb") else { continue }
        _ = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
      }
    }
    exit(0)
  }
  guard let name = environment("GRAFT_FUZZ_TARGET"), let target = FuzzTargets.named(name) else {
    let message = "graft-fuzz: set GRAFT_FUZZ_TARGET to one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(2)
  }
  selected = target
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  _ = selected?.entry(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
  return 0
}
