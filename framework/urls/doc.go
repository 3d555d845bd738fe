// Package urls gives chi routes Django's URL names: a route registered
// with a name can be reversed to its path, from Go (Reverse) and from
// templates ({% url "name" arg %}).
//
//	r := chi.NewRouter()
//	urls.Path(r, "/articles/", articleList, "article-list")            // path("articles/", ..., name="article-list")
//	urls.Path(r, "/articles/{id:[0-9]+}/", articleDetail, "article-detail")
//	r.Post("/articles/{id}/edit/", articleSave)                        // plain chi, then named:
//	urls.Name(r, "article-edit", "/articles/{id}/edit/")
//
//	root := chi.NewRouter()
//	urls.Include(root, "/blog/", r, "blog")                           // path("blog/", include(..., namespace="blog"))
//	urls.SetRoot(root)                                                // ROOT_URLCONF
//
//	u, err := urls.Reverse("blog:article-detail", 42)                 // "/blog/articles/42/"
//
// A chi pattern's parameters ({id}, {id:regex}, a trailing *) take the
// arguments in order (ReverseKwargs takes them by name); an argument must
// match the parameter's regular expression ([^/]+ for a plain {id}), as
// Django's converters must, and is percent-encoded as Django's reverse()
// does. A name that no route has, or arguments no route with that name
// accepts, is a *NoReverseMatch error (errors.Is(err, ErrNoReverseMatch))
// with Django's message and the names that are known.
//
// Names live in a process-wide registry keyed by the chi router they were
// registered on, as Django's URL resolver is process-wide. Names on a
// router mounted with chi's own Mount or Route (not Include) are not seen
// from the root: use Include. Without SetRoot, every router that no other
// includes counts as a root.
package urls
