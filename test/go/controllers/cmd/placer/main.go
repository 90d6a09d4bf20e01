// placer is a controller-runtime manager as a multicluster scheduler writes one: its cache holds the
// ClusterProfiles and Works of one namespace, and its reconciler keeps PlacementDecision "healthy-clusters" there
// naming every profile whose ControlPlaneHealthy condition is True, sorted by name, each with the number of Works
// that target it (label clusterset.dev/cluster) as its reason. Run by test/e2e/go-clients.test.ts through the hub;
// logs (controller-runtime's, JSON) go to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"clusterset.dev/test/controllers/api"
)

const decisionName = "healthy-clusters"

type placer struct{ client.Client }

func (p placer) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var profiles api.ClusterProfileList
	if err := p.List(ctx, &profiles, client.InNamespace(req.Namespace)); err != nil {
		return reconcile.Result{}, err
	}
	var works api.WorkList
	if err := p.List(ctx, &works, client.InNamespace(req.Namespace)); err != nil {
		return reconcile.Result{}, err
	}
	worksPerCluster := map[string]int{}
	for _, w := range works.Items {
		worksPerCluster[w.Labels[api.ClusterLabel]]++
	}
	slices.SortFunc(profiles.Items, func(a, b api.ClusterProfile) int { return strings.Compare(a.Name, b.Name) })
	decisions := []api.ClusterDecision{}
	for _, cp := range profiles.Items {
		if meta.IsStatusConditionTrue(cp.Status.Conditions, api.ControlPlaneHealthy) {
			decisions = append(decisions, api.ClusterDecision{
				ClusterProfileRef: api.ProfileRef{Name: cp.Name},
				Reason:            fmt.Sprintf("ControlPlaneHealthy; %d Work(s)", worksPerCluster[cp.Name]),
			})
		}
	}
	pd := &api.PlacementDecision{ObjectMeta: metav1.ObjectMeta{Namespace: req.Namespace, Name: req.Name}}
	op, err := controllerutil.CreateOrUpdate(ctx, p.Client, pd, func() error {
		pd.SchedulerName = "placer"
		pd.Decisions = decisions
		return nil
	})
	if err != nil {
		return reconcile.Result{}, err
	}
	ctrl.LoggerFrom(ctx).Info("decision written", "operation", op, "decisions", len(decisions), "profiles", len(profiles.Items), "works", len(works.Items))
	return reconcile.Result{}, nil
}

// toDecision maps any change in a namespace to that namespace's one decision.
func toDecision(_ context.Context, obj client.Object) []reconcile.Request {
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: decisionName}}}
}

func main() {
	// --kubeconfig is controller-runtime's own flag (read by ctrl.GetConfig).
	namespace := flag.String("namespace", "", "the namespace to place in")
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr)))
	log := ctrl.Log.WithName("placer")

	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "kubeconfig")
		os.Exit(1)
	}
	scheme := runtime.NewScheme()
	if err := api.AddToScheme(scheme); err != nil {
		log.Error(err, "scheme")
		os.Exit(1)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		Cache:   cache.Options{DefaultNamespaces: map[string]cache.Config{*namespace: {}}},
	})
	if err != nil {
		log.Error(err, "manager")
		os.Exit(1)
	}
	err = ctrl.NewControllerManagedBy(mgr).
		Named("placer").
		Watches(&api.ClusterProfile{}, handler.EnqueueRequestsFromMapFunc(toDecision)).
		Watches(&api.Work{}, handler.EnqueueRequestsFromMapFunc(toDecision)).
		Watches(&api.PlacementDecision{}, handler.EnqueueRequestsFromMapFunc(toDecision)).
		Complete(placer{mgr.GetClient()})
	if err != nil {
		log.Error(err, "controller")
		os.Exit(1)
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
