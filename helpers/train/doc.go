// Package train is the vocabulary gotl's two transfer-learning recipes
// share, so that retraining a final layer (helpers/retrain) and fine-tuning
// a whole network (helpers/finetune) read, report and compare the same way:
//
//   - Splits: the training, validation and testing examples of an image
//     folder, split as retrain.py splits it (dataset.LoadFolder), each
//     Example a labelled input — a bottleneck vector (Bottlenecks, made by
//     bottleneck.Extractor.Splits) or a preprocessed image (Images, made by
//     finetune.LoadImages);
//   - EvalPoint: one periodic evaluation, its Step counted as steps taken
//     (1 after the first step), the same in both recipes;
//   - Result: what a training run gives back — the evaluation curve, the
//     test split's labels and predictions, the misclassified test images and
//     timings;
//   - Run: a named Result with its data preparation time, saved and loaded
//     as JSON, which is how notebooks (one process per cell) and
//     tools/compare keep runs to compare.
//
// A notebook's whole recipe, folder to comparable results:
//
//	folder, _ := dataset.LoadFolder("images", dataset.DefaultFolderOptions())
//	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache, Progress: nb.Bars}
//	vectors, _ := ex.Splits(folder)                 // *train.Bottlenecks, cached
//	re, _ := retrain.Train(vectors, retrain.DefaultConfig())
//
//	images, _ := finetune.LoadImages(folder, prep, nb.Bars) // *train.Images, same split
//	tuner, _ := finetune.New(cfg)                   // cfg from finetune.DefaultConfig()
//	ft, _ := tuner.Train(images)
//
//	for _, r := range []train.Result{re.Result, ft.Result} {
//		fmt.Println(r.TestAccuracy, len(r.Misclassified), r.SecondsPerStep())
//	}
package train
