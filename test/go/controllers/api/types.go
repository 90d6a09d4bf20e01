// Package api declares the few multicluster.x-k8s.io/v1alpha1 fields our Go test controllers use, as a
// controller author would: typed structs registered in a runtime.Scheme. Written for these tests from the
// schemas in resources/crds/, not copied from upstream; fields they do not need are left out.
package api

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var GroupVersion = schema.GroupVersion{Group: "multicluster.x-k8s.io", Version: "v1alpha1"}

// ControlPlaneHealthy is the ClusterProfile condition a placement waits for.
const ControlPlaneHealthy = "ControlPlaneHealthy"

// ClusterLabel names the member a Work targets.
const ClusterLabel = "clusterset.dev/cluster"

type ClusterProfile struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ClusterProfileSpec   `json:"spec"`
	Status            ClusterProfileStatus `json:"status,omitempty"`
}

type ClusterProfileSpec struct {
	DisplayName    string         `json:"displayName,omitempty"`
	ClusterManager ClusterManager `json:"clusterManager"`
}

type ClusterManager struct {
	Name string `json:"name"`
}

type ClusterProfileStatus struct {
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	Version    *ClusterVersion    `json:"version,omitempty"`
	Properties []Property         `json:"properties,omitempty"`
}

type ClusterVersion struct {
	Kubernetes string `json:"kubernetes,omitempty"`
}

type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type ClusterProfileList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterProfile `json:"items"`
}

// Work: only its metadata (the target member is a label).
type Work struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}

type WorkList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Work `json:"items"`
}

type PlacementDecision struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	SchedulerName     string            `json:"schedulerName,omitempty"`
	Decisions         []ClusterDecision `json:"decisions"`
}

type ClusterDecision struct {
	ClusterProfileRef ProfileRef `json:"clusterProfileRef"`
	Reason            string     `json:"reason,omitempty"`
}

type ProfileRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type PlacementDecisionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PlacementDecision `json:"items"`
}

// AddToScheme registers the types under multicluster.x-k8s.io/v1alpha1.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&ClusterProfile{}, &ClusterProfileList{},
		&Work{}, &WorkList{},
		&PlacementDecision{}, &PlacementDecisionList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

// deepCopy copies through JSON: these types hold plain data only (no channels, funcs or shared state), so the
// round trip is a deep copy of every declared field. controller-gen would write field-by-field copies instead;
// six small test types do not need the generator.
func deepCopy[T any](in *T) *T {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

func (in *ClusterProfile) DeepCopy() *ClusterProfile             { return deepCopy(in) }
func (in *ClusterProfile) DeepCopyObject() runtime.Object        { return deepCopy(in) }
func (in *ClusterProfileList) DeepCopyObject() runtime.Object    { return deepCopy(in) }
func (in *Work) DeepCopyObject() runtime.Object                  { return deepCopy(in) }
func (in *WorkList) DeepCopyObject() runtime.Object              { return deepCopy(in) }
func (in *PlacementDecision) DeepCopyObject() runtime.Object     { return deepCopy(in) }
func (in *PlacementDecisionList) DeepCopyObject() runtime.Object { return deepCopy(in) }
