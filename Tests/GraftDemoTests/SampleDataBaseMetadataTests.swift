import Foundation
import GraftCore
import GraftDemo
import Testing

/// The committed `SampleData/*/base.safetensors` carry exactly the `architecture` (and, for
/// vision, `preprocessing`) metadata the generators write, so `make sample-data` and the
/// committed files agree, and the files load with no architecture given.
@Suite struct SampleDataBaseMetadataTests {
  static let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SampleData").path

  @Test func committedBasesNameWhatTheGeneratorsWrite() throws {
    let expected = [
      ("vision", try BaseSource.metadata(architecture: VisionSampleData.baseSpec, preprocessing: VisionSampleData.baseInput)),
      ("audio", try BaseSource.metadata(architecture: AudioSampleData.baseSpec)),
    ]
    for (modality, metadata) in expected {
      let header = try SafeTensors.readHeader(Self.sampleData + "/\(modality)/base.safetensors")
      #expect(header.metadata["architecture"] == metadata["architecture"], "\(modality)")
      #expect(header.metadata["preprocessing"] == metadata["preprocessing"], "\(modality)")
      #expect(header.metadata["seed"] == "42" && header.metadata["format"] == "pt", "\(modality)")
    }
    #expect(VisionSampleData.baseInput == ["width": 32, "height": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]])
  }
}
