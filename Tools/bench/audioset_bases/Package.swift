// swift-tools-version:6.0
// Clips/s of the AudioSet bases (YAMNet, mn04) on the reference clips, until `graft bench audio`
// has them. A package of its own so that Graft's Package.swift stays as it is:
//   cd Tools/bench/audioset_bases && swift build -c release && .build/release/audioset-bases [rounds]
// Run from this folder (it reads ../../../../shared/pretrained). Peer: Tools/peers/yamnet_tflite.py.
import PackageDescription

let package = Package(
  name: "audioset-bases",
  dependencies: [.package(name: "Graft", path: "../../..")],
  targets: [
    .executableTarget(name: "audioset-bases", dependencies: [.product(name: "GraftAudio", package: "Graft"),
                                                            .product(name: "GraftCore", package: "Graft")]),
  ])
