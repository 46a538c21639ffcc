import Foundation
import GraftAudio
import GraftCore

// Feature extraction (decode, front end, forward → embedding) of the three 5-s ESC-50 reference
// clips, `rounds` times, YAMNet and mn04 alternating clip by clip; then YAMNet's network alone.
let shared = "../../../../shared/pretrained"
let ref = "\(shared)/ref/audio"
let files = try FileManager.default.contentsOfDirectory(atPath: ref).filter { $0.hasSuffix(".flac") && $0.contains("esc50") }
  .sorted().map { "\(ref)/\($0)" }
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let yamnet = try YAMNet.load(tflite: "\(shared)/audioset_yamnet/yamnet.tflite", classifier: false)
var g = Generator(seed: 0)
let mn04 = MN(classCount: nil, using: &g)
try mn04.load(try PyTorchCheckpoint.read("\(shared)/audioset_mn04/mn04_as_mAP_432.pt").tensors
  .filter { !$0.key.hasPrefix("classifier.") }, strict: true)
mn04.eval()

func yamnetClip(_ path: String, _ model: YAMNet) throws -> Int {
  let patches = try LogMelFrontEnd.yamnet.patches(file: path)
  return withoutGradients { model.features(patches.tensor) }.shape[0]
}
func mn04Clip(_ path: String, _ model: MN) throws -> Int {
  let x = try EfficientATFrontEnd().melInput(file: path)
  return withoutGradients { model.features(x) }.shape[0]
}

_ = try yamnetClip(files[0], yamnet)  // warm-up (FFT plans, allocations)
_ = try mn04Clip(files[0], mn04)
var (yamnetTime, mn04Time, clips, patches) = (0.0, 0.0, 0, 0)
for _ in 0..<rounds {
  for f in files {
    var t = now()
    patches += try yamnetClip(f, yamnet)
    yamnetTime += now() - t
    t = now()
    _ = try mn04Clip(f, mn04)
    mn04Time += now() - t
    clips += 1
  }
}
let batch = try LogMelFrontEnd.yamnet.patches(file: files[0]).tensor
let t = now()
for _ in 0..<rounds { _ = withoutGradients { yamnet.features(batch) } }
let networkTime = now() - t
print("\(clips) clips of 5 s, \(patches) YAMNet patches")
print(String(format: "yamnet: %.1f clips/s (%.1f patches/s)", Double(clips) / yamnetTime, Double(patches) / yamnetTime))
print(String(format: "mn04:   %.1f clips/s", Double(clips) / mn04Time))
print(String(format: "yamnet network alone: %.1f patches/s", Double(batch.shape[0] * rounds) / networkTime))
