/**
 * The report's only script, inlined: hover tooltips from `data-tip`, and one time cursor shared by
 * every chart. It reads the page and fetches nothing.
 */
export const SCRIPT = `
(function(){
  var tip=document.getElementById("tip");
  var plots=Array.prototype.slice.call(document.querySelectorAll("svg.plot"));
  function place(e){
    var w=tip.offsetWidth,h=tip.offsetHeight,x=e.clientX+14,y=e.clientY+14;
    if(x+w>window.innerWidth-8)x=e.clientX-w-14;
    if(y+h>window.innerHeight-8)y=e.clientY-h-14;
    tip.style.left=Math.max(4,x)+"px";tip.style.top=Math.max(4,y)+"px";
  }
  function moveCursors(fraction){
    plots.forEach(function(svg){
      var line=svg.querySelector(".cursor");if(!line)return;
      if(fraction===null){line.setAttribute("visibility","hidden");return;}
      var x=(+svg.getAttribute("data-left"))+fraction*(+svg.getAttribute("data-width"));
      line.setAttribute("x1",x);line.setAttribute("x2",x);line.setAttribute("visibility","visible");
    });
  }
  document.addEventListener("mousemove",function(e){
    var t=e.target&&e.target.closest?e.target.closest("[data-tip]"):null;
    if(t){tip.textContent=t.getAttribute("data-tip");tip.style.display="block";place(e);}
    else tip.style.display="none";
    var svg=e.target&&e.target.closest?e.target.closest("svg.plot"):null;
    if(!svg||!svg.getScreenCTM()){moveCursors(null);return;}
    var pt=svg.createSVGPoint();pt.x=e.clientX;pt.y=e.clientY;
    var p=pt.matrixTransform(svg.getScreenCTM().inverse());
    var f=(p.x-(+svg.getAttribute("data-left")))/(+svg.getAttribute("data-width"));
    moveCursors(f>=0&&f<=1?f:null);
  });
  document.addEventListener("mouseleave",function(){tip.style.display="none";moveCursors(null);});
})();
`;
