// swift-tools-version:6.0
// Graft: transfer learning for Swift on Linux. See docs/architecture.md.
import PackageDescription

let package = Package(
  name: "Graft",
  products: [
    .library(name: "GraftCore", targets: ["GraftCore"]),
    .library(name: "GraftText", targets: ["GraftText"]),
    .executable(name: "graft", targets: ["graft"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // C libraries we stand on: one system-library module each (Packages/).
    .systemLibrary(
      name: "CBLAS", path: "Packages/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CFFTW", path: "Packages/CFFTW", pkgConfig: "fftw3f",
      providers: [.apt(["libfftw3-dev"])]),
    .systemLibrary(
      name: "CSndFile", path: "Packages/CSndFile", pkgConfig: "sndfile",
      providers: [.apt(["libsndfile1-dev"])]),
    .systemLibrary(
      name: "CLibPNG", path: "Packages/CLibPNG", pkgConfig: "libpng16",
      providers: [.apt(["libpng-dev"])]),
    // The only C we write: a setjmp guard around libpng's classic reader.
    .target(name: "CPNG", dependencies: ["CLibPNG"], path: "Packages/CPNG"),

    // One tensor/training core.
    .target(name: "GraftCore", dependencies: ["CBLAS"]),

    // Modalities.
    .target(name: "GraftText", dependencies: ["GraftCore"]),

    // The command-line tool: parsing, printing, exit codes.
    .executableTarget(
      name: "graft",
      dependencies: [
        "GraftCore",
        "GraftText",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // Tests.
    .target(
      name: "_GraftTestSupport", dependencies: ["GraftCore"], path: "Tests/_GraftTestSupport",
      exclude: ["README.md"]),
    .testTarget(
      name: "GraftCoreTests", dependencies: ["GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraftTextTests", dependencies: ["GraftText", "GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(name: "CShimTests", dependencies: ["CBLAS", "CFFTW", "CSndFile", "CPNG"]),
    .testTarget(name: "GraftCLITests", dependencies: ["graft"]),
  ]
)
