// swift-tools-version:6.0
// Graft: transfer learning for Swift on Linux. See docs/architecture.md.
import PackageDescription

let package = Package(
  name: "Graft",
  products: [
    .library(name: "GraftCore", targets: ["GraftCore"]),
    .library(name: "GraftImage", targets: ["GraftImage"]),
    .library(name: "GraftVision", targets: ["GraftVision"]),
    .library(name: "GraftText", targets: ["GraftText"]),
    .library(name: "GraftAudio", targets: ["GraftAudio"]),
    .library(name: "GraftDistributed", targets: ["GraftDistributed"]),
    .executable(name: "graft", targets: ["graft"]),
    // Fuzz entry points for every parser (used by Fuzz/ and the fuzz smoke test).
    .library(name: "GraftFuzzTargets", targets: ["GraftFuzzTargets"]),
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
    .systemLibrary(
      name: "CSampleRate", path: "Packages/CSampleRate", pkgConfig: "samplerate",
      providers: [.apt(["libsamplerate0-dev"])]),
    .systemLibrary(
      name: "CMPI", path: "Packages/CMPI", pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev"])]),
    .systemLibrary(
      name: "CZip", path: "Packages/CZip", pkgConfig: "libzip",
      providers: [.apt(["libzip-dev"])]),
    // The C we write: a setjmp guard around libpng's classic reader, and SIMD
    // kernels compiled per instruction set with function-level target
    // attributes (chosen at run time; no build flags).
    .target(name: "CPNG", dependencies: ["CLibPNG"], path: "Packages/CPNG"),
    .target(name: "CKernels", path: "Packages/CKernels"),

    // One tensor/training core.
    .target(name: "GraftCore", dependencies: ["CBLAS", "CKernels", "CZip"]),

    // Images below the modalities that use them: the raster type, pixel ops, PNG over CPNG.
    .target(name: "GraftImage", dependencies: ["GraftCore", "CPNG"]),

    // Modalities: each sees GraftCore, GraftImage where it needs pictures, and its own C
    // libraries, never another modality.
    .target(name: "GraftVision", dependencies: ["GraftCore", "GraftImage"]),
    .target(name: "GraftText", dependencies: ["GraftCore"]),
    .target(name: "GraftAudio", dependencies: ["GraftCore", "GraftImage", "CSndFile", "CFFTW", "CSampleRate"]),

    // Above the libraries, below the CLI (no library product): `graft bench` and `graft demo`.
    .target(name: "GraftBenchmarks", dependencies: ["GraftCore", "GraftVision", "GraftText", "GraftAudio"]),
    .target(name: "GraftDemo", dependencies: ["GraftCore", "GraftVision", "GraftText", "GraftAudio"]),

    // Data-parallel runs: GraftCore's ProcessGroup over OpenMPI (only the CLI links it).
    .target(name: "GraftDistributed", dependencies: ["GraftCore", "CMPI"]),

    // The command-line tool: parsing, printing, exit codes.
    .executableTarget(
      name: "graft",
      dependencies: [
        "GraftCore",
        "GraftVision",
        "GraftText",
        "GraftAudio",
        "GraftDistributed",
        "GraftBenchmarks",
        "GraftDemo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // One fuzz entry per parser (bytes in, typed errors swallowed), and a deterministic mutator.
    .target(name: "GraftFuzzTargets", dependencies: ["GraftCore", "GraftVision", "GraftText", "GraftAudio", "CSndFile"]),

    // Tests.
    .target(
      name: "_GraftTestSupport", dependencies: ["GraftCore"], path: "Tests/_GraftTestSupport",
      exclude: ["README.md"]),
    .testTarget(
      name: "GraftCoreTests", dependencies: ["GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraftAudioTests", dependencies: ["GraftAudio", "GraftCore", "GraftImage", "CSndFile", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraftImageTests", dependencies: ["GraftImage", "GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraftVisionTests", dependencies: ["GraftVision", "GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraftTextTests", dependencies: ["GraftText", "GraftCore", "_GraftTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(name: "GraftDemoTests", dependencies: ["GraftDemo", "GraftVision", "GraftText", "GraftCore", "_GraftTestSupport"]),
    .testTarget(
      name: "GraftFuzzTests", dependencies: ["GraftFuzzTargets", "GraftCore", "_GraftTestSupport"],
      exclude: ["Regressions"]),
    .testTarget(name: "CShimTests", dependencies: ["CBLAS", "CFFTW", "CSndFile", "CPNG", "CSampleRate"]),
    .testTarget(name: "GraftCLITests", dependencies: ["graft", "GraftCore", "GraftVision", "_GraftTestSupport"]),
  ]
)
