// statuswriter writes the status of a user-managed ClusterProfile the way OCM's cluster-proxy and KubeFleet do:
// a full typed object sent with controller-runtime's client.Status().Update(). It creates the profile, then
//
//  1. updates its status with a fresh copy that also carries a spec and a label change (the server keeps
//     only the status);
//  2. updates it again from the copy read before step 1, inside client-go's retry.RetryOnConflict: the first
//     attempt is stale, the next re-reads and succeeds.
//
// Each step is one JSON line on stdout for test/e2e/go-clients.test.ts; it exits 1 on any other error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"clusterset.dev/test/controllers/api"
)

var out = json.NewEncoder(os.Stdout)

func fail(step string, err error) {
	_ = out.Encode(map[string]any{"step": step, "error": err.Error()})
	os.Exit(1)
}

func healthy(status metav1.ConditionStatus, reason string) []metav1.Condition {
	var conds []metav1.Condition
	meta.SetStatusCondition(&conds, metav1.Condition{Type: api.ControlPlaneHealthy, Status: status, Reason: reason, Message: "reported by statuswriter"})
	return conds
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the hub")
	namespace := flag.String("namespace", "", "namespace of the profile")
	name := flag.String("name", "", "name of the profile")
	flag.Parse()
	ctx := context.Background()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig", err)
	}
	scheme := runtime.NewScheme()
	if err := api.AddToScheme(scheme); err != nil {
		fail("scheme", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		fail("client", err)
	}

	cp := &api.ClusterProfile{
		ObjectMeta: metav1.ObjectMeta{Namespace: *namespace, Name: *name, Labels: map[string]string{"x-k8s.io/cluster-manager": "cluster-proxy"}},
		Spec:       api.ClusterProfileSpec{DisplayName: "Edge", ClusterManager: api.ClusterManager{Name: "cluster-proxy"}},
	}
	if err := c.Create(ctx, cp); err != nil {
		fail("create", err)
	}
	stale := cp.DeepCopy()

	// 1. A full status update that also tries to change spec and labels.
	cp.Spec.DisplayName = "changed through status"
	cp.Labels["team"] = "changed-through-status"
	cp.Status = api.ClusterProfileStatus{
		Conditions: healthy(metav1.ConditionTrue, "Reachable"),
		Version:    &api.ClusterVersion{Kubernetes: "v1.37.2"},
		Properties: []api.Property{{Name: "cluster.clusterset.k8s.io", Value: *name}},
	}
	if err := c.Status().Update(ctx, cp); err != nil {
		fail("status-update", err)
	}
	// cp is now what the server answered.
	_ = out.Encode(map[string]any{"step": "status-update", "resourceVersion": cp.ResourceVersion, "createdResourceVersion": stale.ResourceVersion,
		"generation": cp.Generation, "displayName": cp.Spec.DisplayName, "labels": cp.Labels, "status": cp.Status})

	// 2. From the stale copy: conflict first, then re-read and retry.
	attempts := 0
	var firstErr error
	target := stale
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		attempts++
		if attempts > 1 {
			target = &api.ClusterProfile{}
			if err := c.Get(ctx, client.ObjectKeyFromObject(stale), target); err != nil {
				return err
			}
		}
		target.Status.Conditions = healthy(metav1.ConditionFalse, "Unreachable")
		err := c.Status().Update(ctx, target)
		if attempts == 1 {
			firstErr = err
		}
		return err
	})
	if err != nil {
		fail("retry", err)
	}
	first := map[string]any{"isConflict": apierrors.IsConflict(firstErr)}
	if firstErr != nil {
		first["error"] = firstErr.Error()
		first["reason"] = apierrors.ReasonForError(firstErr)
		if s, ok := firstErr.(apierrors.APIStatus); ok {
			first["code"] = s.Status().Code
		}
	}
	_ = out.Encode(map[string]any{"step": "retry", "attempts": attempts, "first": first, "resourceVersion": target.ResourceVersion, "status": target.Status})
}
