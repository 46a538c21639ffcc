import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

@Suite struct ImageClassifierPredictionsTests {
  static let preprocessing = ImageFolder.Preprocessing(width: 16, height: 16, normalization: .imageNet)
  static let base = BaseSource.scratch(ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [4, 8]]))

  @Test func perFilePredictionsAgreeWithTheMetrics() throws {
    let dir = try TemporaryDirectory("graft-predictions")
    defer { dir.remove() }
    let root = dir.file("shapes")
    try writeShapesFolder(root, perClass: 4)
    let recipe = TransferRecipe(headEpochs: 3, headLearningRate: 0.05, batchSize: 4, seed: 5, quiet: true)
    let training = try ImageClassifier.train(base: Self.base, on: root, recipe: recipe,
                                             preprocessing: Self.preprocessing, validationFraction: 0.5)
    // The validation files: half of each class, in path order, none of them the corrupt file.
    #expect(training.validationItems.map(\.label) == [0, 0, 1, 1, 2, 2])
    #expect(!training.validationItems.contains { $0.path.hasSuffix("corrupt.png") })
    let validation = try #require(training.validationEvaluation(batchSize: 4))
    #expect(validation.predictions.map(\.path) == training.validationItems.map(\.path))
    #expect(validation.evaluation.metrics == training.metrics)
    for (prediction, item) in zip(validation.predictions, training.validationItems) {
      #expect(prediction.actual == training.bundle.config.labels[item.label])
      let top = try training.classifier.predict(file: item.path)[0]
      #expect(prediction.predicted == top.label && abs(prediction.probability - top.probability) < 1e-5)
    }

    // Evaluating the folder: one prediction per readable file, matching the confusion matrix.
    let folder = try training.classifier.evaluateFolder(on: root, batchSize: 5)
    #expect(folder.predictions.count == 12 && folder.report.skipped.count == 1)
    #expect(folder.skippedLines == [root + "/disc/corrupt.png: " + folder.report.skipped[0].reason.description])
    let labels = training.bundle.config.labels
    var confusion = Array(repeating: Array(repeating: 0, count: 3), count: 3)
    for p in folder.predictions { confusion[labels.firstIndex(of: p.actual)!][labels.firstIndex(of: p.predicted)!] += 1 }
    #expect(confusion == folder.evaluation.metrics.confusion)
    #expect(folder.predictions.allSatisfy { $0.probability > 1.0 / 3 - 1e-6 && $0.probability <= 1 })
    #expect(folder.predictions.filter { $0.path.hasSuffix("/bar/0.png") }.first?.actual == "bar")

    let section = training.reportSection(facts: [ReportFact("data", root)])
    #expect(section.metrics == training.metrics && section.exampleCount == 6 && section.examples.count == 6)
    #expect(section.stages.map(\.name) == ["head"] && section.skipped.count == 1)
    #expect(section.examples.allSatisfy { $0.png.flatMap(pngSize).map { $0.width == 16 && $0.height == 16 } ?? false })
  }

  @Test func previewSheetIsSeededAndSized() throws {
    let dir = try TemporaryDirectory("graft-predictions")
    defer { dir.remove() }
    try writeShapesFolder(dir.file("shapes"), perClass: 2)
    let folder = try ImageFolder(root: dir.file("shapes"), preprocessing: Self.preprocessing)
    let augmentation = Augmentation([.horizontalFlip(), .randomResizedCrop(width: 20, height: 20, scale: 0.5...1)])
    let a = try AugmentationPreview(folder: folder, augmentation: augmentation, count: 10, size: 20, seed: 1)
    let b = try AugmentationPreview(folder: folder, augmentation: augmentation, count: 10, size: 20, seed: 1)
    let c = try AugmentationPreview(folder: folder, augmentation: augmentation, count: 10, size: 20, seed: 2)
    #expect((a.image.width, a.image.height) == (4 * 20 + 5 * 2, 3 * 20 + 4 * 2))
    #expect(a.image == b.image && a.image != c.image)
    // Six readable files, cycled: the first six cells are six different files, then they repeat.
    #expect(Set(a.sources.prefix(6)).count == 6 && Array(a.sources[6..<10]) == Array(a.sources[0..<4]))
    // The corrupt file is skipped, never drawn.
    #expect(a.skipped.isEmpty || a.skipped.allSatisfy { $0.path.hasSuffix("corrupt.png") })
    #expect(!a.sources.contains { $0.hasSuffix("corrupt.png") })
  }
}
