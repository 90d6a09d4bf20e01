// Command consumer reaches a member cluster the way cluster-inventory-api consumers do (Kueue MultiKueue, Argo CD,
// multicluster-runtime): it reads a ClusterProfile through the hub with the upstream typed clientset, builds a
// rest.Config with the upstream pkg/access BuildConfigFromCP from a provider file (which names the upstream
// kubeconfig-secretreader exec plugin), and lists the member's namespaces with it. It prints one JSON line: what
// it built (host, exec plugin) and the namespaces, or the error of the step that failed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/cluster-inventory-api/client/clientset/versioned"
	"sigs.k8s.io/cluster-inventory-api/pkg/access"
)

type result struct {
	Step       string   `json:"step"`
	Error      string   `json:"error,omitempty"`
	Host       string   `json:"host,omitempty"`
	Plugin     string   `json:"plugin,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "the hub's kubeconfig (the consumer's own credentials)")
	namespace := flag.String("namespace", "", "the ClusterProfile's namespace")
	name := flag.String("profile", "", "the ClusterProfile's name")
	providerFile := access.SetupProviderFileFlag()
	flag.Parse()
	out := json.NewEncoder(os.Stdout)
	fail := func(r result, err error) {
		r.Error = err.Error()
		_ = out.Encode(r)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	hub, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(result{Step: "hub-config"}, err)
	}
	profiles, err := versioned.NewForConfig(hub)
	if err != nil {
		fail(result{Step: "hub-client"}, err)
	}
	cp, err := profiles.ApisV1alpha1().ClusterProfiles(*namespace).Get(ctx, *name, metav1.GetOptions{})
	if err != nil {
		fail(result{Step: "get-profile"}, err)
	}
	providers, err := access.NewFromFile(*providerFile)
	if err != nil {
		fail(result{Step: "provider-file"}, err)
	}
	member, err := providers.BuildConfigFromCP(cp)
	if err != nil {
		fail(result{Step: "build-config"}, err)
	}
	r := result{Step: "list-namespaces", Host: member.Host, Plugin: member.ExecProvider.Command}
	client, err := kubernetes.NewForConfig(member)
	if err != nil {
		fail(r, err)
	}
	list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		fail(r, err)
	}
	for _, ns := range list.Items {
		r.Namespaces = append(r.Namespaces, ns.Name)
	}
	r.Step = "done"
	_ = out.Encode(r)
}
