import Foundation
import GraftCore
import GraftImage
import _GraftTestSupport

/// `Fixtures/image_ops.safetensors`, made by `Tools/fixtures/vision.py` with Pillow (its version
/// is in the metadata): uint8 `[H, W, C]` images keyed `input/<mode>`, `resize/…`, `rotate/…`,
/// `enhance/…`, `gray/…`.
enum ImageOpsFixture {
  static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/image_ops.safetensors").path

  /// Loaded once; a missing or unreadable fixture is a test failure at the point of use.
  nonisolated(unsafe) static let fixture: Result<Fixture, any Error> = Result { try Fixture(path: path) }

  static var pillowVersion: String { (try? fixture.get().metadata["pillow"]) ?? "?" }

  /// The image stored under `key`.
  static func image(_ key: String) throws -> Image {
    let t = try fixture.get()[key]
    precondition(t.rank == 3, "fixture \(key): shape \(t.shape)")
    return Image(width: t.shape[1], height: t.shape[0], channels: t.shape[2],
                 samples: t.scalars.map { UInt8($0) })
  }

  static let modes = ["L", "RGB", "RGBA"]

  /// Largest absolute sample difference between two equally shaped images (Int.max otherwise).
  static func maxDifference(_ a: Image, _ b: Image) -> Int {
    guard a.width == b.width, a.height == b.height, a.channels == b.channels else { return .max }
    return zip(a.samples8, b.samples8).map { abs(Int($0) - Int($1)) }.max() ?? 0
  }
}
