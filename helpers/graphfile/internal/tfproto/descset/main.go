// Command descset writes a FileDescriptorSet (binary) of the TensorFlow
// framework .proto files that gotl_meta_graph.proto imports, taken from the
// galeone Go packages already linked by the project. protoc reads it with
// --descriptor_set_in, so generating our messages needs no TensorFlow source
// tree and refers to exactly the framework types the Go code links.
package main

import (
	"fmt"
	"os"

	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/op_def_go_proto"
	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_shape_go_proto"
	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/types_go_proto"
	_ "github.com/galeone/tensorflow/tensorflow/go/core/framework/versions_go_proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	_ "google.golang.org/protobuf/types/known/anypb"
)

var roots = []string{
	"tensorflow/core/framework/graph.proto",
	"tensorflow/core/framework/op_def.proto",
	"tensorflow/core/framework/tensor.proto",
	"tensorflow/core/framework/tensor_shape.proto",
	"tensorflow/core/framework/types.proto",
	"tensorflow/core/framework/versions.proto",
	"google/protobuf/any.proto",
}

func main() {
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	for _, path := range roots {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "descset:", err)
			os.Exit(1)
		}
		add(fd)
	}
	b, err := proto.Marshal(set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "descset:", err)
		os.Exit(1)
	}
	os.Stdout.Write(b)
}
