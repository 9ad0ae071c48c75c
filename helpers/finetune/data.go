package finetune

import (
	"fmt"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/train"
)

// imageExample is a preprocessed image with its label.
type imageExample = train.Example[*dataset.FloatImage]

// LoadImages decodes and preprocesses every image of f into its retrain.py
// split, as Tuner.Train takes them. Fine-tuning needs the pixels (not cached
// bottlenecks), so they are all kept in memory: use it for datasets of
// thousands, not millions, of images. report, when set, is shown the
// decoding.
func LoadImages(f *dataset.Folder, prep dataset.Preprocess, report progress.Reporter) (*train.Images, error) {
	if err := prep.Validate(); err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	bar := progress.Start(report, "decoding images", len(f.Images))
	defer bar.Done()
	s := &train.Images{Labels: f.Labels()}
	for _, img := range f.Images {
		m, err := dataset.Load(img.Path)
		if err != nil {
			return nil, fmt.Errorf("finetune: %w", err)
		}
		s.Add(img.Split, imageExample{Input: prep.Apply(m), Label: img.Label, Name: img.Path})
		bar.Add(1)
	}
	if len(s.Training) == 0 {
		return nil, fmt.Errorf("finetune: %s has no training images", f.Dir)
	}
	return s, nil
}
