import Foundation
import GraftCore

/// Writes `dir/index.html` (`--report DIR`): `sections` under `title`, subtitled with the command
/// line that made them. Returns the page's path.
func writeReport(_ sections: [ReportSection], title: String, to dir: String) throws -> String {
  let command = (["graft"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
  return try HTMLReport(title: title, subtitle: command, sections: sections).write(toDirectory: dir)
}
