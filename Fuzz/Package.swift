// swift-tools-version:6.0
// libFuzzer harness for Graft's parsers: one executable, `graft-fuzz`, whose target is chosen by
// GRAFT_FUZZ_TARGET (see Sources/GraftFuzzTargets and docs/RELIABILITY.md). Built by `make fuzz`
// with the sanitizer flags on the command line (never unsafeFlags):
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which is whatever the clone was called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
  name: "GraftFuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .target(
      name: "GraftFuzzEntry",
      dependencies: [.product(name: "GraftFuzzTargets", package: root.lastPathComponent.lowercased())]),
    .executableTarget(name: "graft-fuzz", dependencies: ["GraftFuzzEntry"]),
  ]
)
