import Foundation
import GraftAudio
import GraftCore
import GraftVision

/// The PNG encoder GraftAudio's report pictures go through (GraftAudio draws, GraftVision encodes).
func audioPNGEncoder(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
  try PNGEncoder.encode(Image(width: width, height: height, channels: 3, samples: rgb))
}

/// Writes `DIR/index.html` with one section and returns its path; failures name the directory.
func writeAudioReport(_ section: ReportSection, title: String, to dir: String) throws -> String {
  let subtitle = (["graft"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
  do {
    return try HTMLReport(title: title, subtitle: subtitle, sections: [section]).write(toDirectory: dir)
  } catch {
    throw CLIError(error.description)
  }
}
