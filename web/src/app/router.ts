// A tiny path router (four screens do not need a routing library). The service answers every
// non-API path with index.html, so deep links and reloads work.
import { useCallback, useEffect, useState } from "react";

export type Route = "documents" | "ask" | "history" | "evaluation";
export const ROUTES: Route[] = ["documents", "ask", "history", "evaluation"];

function current(): Route {
  const name = window.location.pathname.replace(/^\/+|\/+$/g, "");
  return (ROUTES as string[]).includes(name) ? (name as Route) : "documents";
}

export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onPop = () => setRoute(current());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((next: Route) => {
    if (window.location.pathname !== `/${next}`) window.history.pushState(null, "", `/${next}`);
    setRoute(next);
  }, []);
  return [route, navigate];
}
