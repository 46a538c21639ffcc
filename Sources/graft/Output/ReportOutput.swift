import Foundation
import GraftCore
import GraftVision

/// Writes `dir/index.html` (`--report DIR`): `sections` under `title`, subtitled with the command
/// line that made them. Returns the page's path.
func writeReport(_ sections: [ReportSection], title: String, to dir: String) throws -> String {
  let command = (["graft"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
  return try HTMLReport(title: title, subtitle: command, sections: sections).write(toDirectory: dir)
}

/// The PNG encoder GraftAudio's report pictures go through (GraftAudio draws, GraftVision encodes).
func audioPNGEncoder(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
  try PNGEncoder.encode(Image(width: width, height: height, channels: 3, samples: rgb))
}
