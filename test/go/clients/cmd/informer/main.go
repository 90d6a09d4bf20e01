// informer runs a client-go dynamic informer on one multicluster.x-k8s.io/v1alpha1 resource and reports to
// its parent (test/e2e/go-clients.test.ts) as JSON lines on stdout:
//
//	{"event":"request","method":"GET","url":"…"}    every request client-go sends (list, watch, watch-list)
//	{"event":"synced"}                               once the informer's cache has synced
//	{"event":"add"|"update"|"delete","name":"…","rv":"…"}
//	{"event":"dump","items":{"<ns>/<name>":"<rv>"}}  on the stdin command "dump": the informer's store
//
// The mode follows client-go's own feature gate: KUBE_FEATURE_WatchListClient=false lists then watches,
// =true (the 0.37 default) streams the initial state with sendInitialEvents.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

var out = struct {
	sync.Mutex
	enc *json.Encoder
}{enc: json.NewEncoder(os.Stdout)}

func emit(v map[string]any) {
	out.Lock()
	defer out.Unlock()
	_ = out.enc.Encode(v)
}

// recorder reports every request before passing it on.
type recorder struct{ next http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	emit(map[string]any{"event": "request", "method": req.Method, "url": req.URL.RequestURI()})
	return r.next.RoundTrip(req)
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the hub")
	resource := flag.String("resource", "placementdecisions", "resource of multicluster.x-k8s.io/v1alpha1")
	namespace := flag.String("namespace", "", "namespace to watch (all when empty)")
	klog.InitFlags(nil)
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatalf("kubeconfig: %v", err)
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return recorder{rt} })
	client := dynamic.NewForConfigOrDie(cfg)
	gvr := schema.GroupVersionResource{Group: "multicluster.x-k8s.io", Version: "v1alpha1", Resource: *resource}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, *namespace, nil)
	informer := factory.ForResource(gvr).Informer()

	report := func(event string, obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return
		}
		emit(map[string]any{"event": event, "name": u.GetNamespace() + "/" + u.GetName(), "rv": u.GetResourceVersion()})
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { report("add", obj) },
		UpdateFunc: func(_, obj any) { report("update", obj) },
		DeleteFunc: func(obj any) { report("delete", obj) },
	}); err != nil {
		klog.Fatalf("handler: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		klog.Fatal("cache never synced")
	}
	emit(map[string]any{"event": "synced"})

	// Commands from the parent; stdin closed ends the program.
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if lines.Text() != "dump" {
			continue
		}
		items := map[string]string{}
		for _, obj := range informer.GetStore().List() {
			u := obj.(*unstructured.Unstructured)
			items[u.GetNamespace()+"/"+u.GetName()] = u.GetResourceVersion()
		}
		emit(map[string]any{"event": "dump", "items": items})
	}
}
