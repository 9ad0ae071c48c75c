package finetune

import (
	"fmt"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/progress"
)

// FromFolder decodes and preprocesses every image of f into the training,
// validation and testing sets of its retrain.py split. Fine-tuning needs the
// pixels (not cached bottlenecks), so they are all kept in memory: use it for
// datasets of thousands, not millions, of images.
func FromFolder(f *dataset.Folder, prep dataset.Preprocess, report progress.Reporter) (train, validation, test *Data, err error) {
	if err := prep.Validate(); err != nil {
		return nil, nil, nil, err
	}
	sets := map[dataset.Split]*Data{dataset.Training: {}, dataset.Validation: {}, dataset.Testing: {}}
	bar := progress.Start(report, "decoding images", len(f.Images))
	defer bar.Done()
	for _, img := range f.Images {
		m, err := dataset.Load(img.Path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("finetune: %w", err)
		}
		d := sets[img.Split]
		d.Images = append(d.Images, prep.Apply(m))
		d.Labels = append(d.Labels, img.Label)
		d.Names = append(d.Names, img.Path)
		bar.Add(1)
	}
	if sets[dataset.Training].Len() == 0 {
		return nil, nil, nil, fmt.Errorf("finetune: %s has no training images", f.Dir)
	}
	orNil := func(d *Data) *Data {
		if d.Len() == 0 {
			return nil
		}
		return d
	}
	return sets[dataset.Training], orNil(sets[dataset.Validation]), orNil(sets[dataset.Testing]), nil
}
