module github.com/gotl/gotl

go 1.26

require (
	github.com/galeone/tensorflow/tensorflow/go v0.0.0-20221023090153-6b7fa0680c3e
	github.com/golang/snappy v1.0.0
	github.com/gomlx/gomlx v0.26.0
	github.com/janpfeifer/gonb v0.11.5
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/plot v0.17.0
	google.golang.org/protobuf v1.36.10
)
