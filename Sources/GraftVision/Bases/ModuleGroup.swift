import GraftCore

/// Several modules of one network treated as one block (for `freeze`, `unfreezeTop`); it is not
/// part of any state dict, so its child keys are only positions.
final class ModuleGroup: Module {
  let members: [Module]
  init(_ members: [Module]) {
    self.members = members
    super.init()
  }
  override func namedChildren() -> [(String, Module)] { members.enumerated().map { (String($0.offset), $0.element) } }
}
